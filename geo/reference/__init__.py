"""Reference data: the official register, the legacy → 2025 crosswalk, Vietnamese name keys, VN-2000 CRS definitions."""

__all__ = ["crosswalk", "crs", "names", "register"]
