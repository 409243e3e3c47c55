"""The data core: Vietnam's administrative units, planners' files, and the coverage indicators.

Sub-packages by kind, each importing only those above it in this list:

- :mod:`geo.reference` — the official register, the crosswalk, name keys, CRS definitions;
- :mod:`geo.reading` — files read safely (boundaries, tables), text encodings, CRS inference;
- :mod:`geo.importing` — a planner's boundary file matched to the register and merged;
- :mod:`geo.indicators` — the pipeline from coverage inputs and tables to ranked indicators.

:mod:`geo.schema` (column names, vintages) and :mod:`geo.errors` (the error
hierarchy) sit at the root. ``geo`` never imports streamlit, ``layers``,
``application`` or ``cli``; ``python -m geo`` only hands over to :mod:`cli`.
"""
