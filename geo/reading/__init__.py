"""Reading files safely: sniffing, boundary files, the data folder's layers, text encodings, CRS inference, tables; atomic writes."""

__all__ = ["atomic", "boundaries", "crs_inference", "encoding", "read", "repair", "sniff", "tables"]
