"""Importing planners' boundary files: read, decode, place, match to the register, merge into the embedded boundaries."""

__all__ = ["import_boundaries", "matching", "merge_boundaries"]
