"""Build-time generators of the embedded default data (approximate boundaries, demo coverage); the app never imports them."""

__all__ = ["approx_boundaries", "coastline", "demo_coverage", "sites", "tessellate"]
