"""Reference data: the official register, the legacy → 2025 crosswalk, name keys and NFC, code padding, VN-2000 CRS definitions."""

__all__ = ["codes", "crosswalk", "crs", "names", "register"]
