"""The command line ``python -m geo …``: a shell at the top that may use every package (maps and exports too)."""

__all__ = ["commands"]
