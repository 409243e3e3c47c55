"""Importing planners' boundary files: read, decode, place, match to the register, merge into the embedded boundaries."""

__all__ = ["import_boundaries", "levels", "matching", "merge_boundaries", "parts"]
