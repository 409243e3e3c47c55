"""Reading files safely: content checks, boundary files, the data folder's layers, encodings, CRS inference, geometry repair, tables; atomic writes."""

__all__ = [
    "atomic",
    "boundaries",
    "crs_inference",
    "encoding",
    "formulas",
    "guard",
    "isolate",
    "read",
    "repair",
    "sniff",
    "table_bounds",
    "tables",
    "vocabulary",
]
