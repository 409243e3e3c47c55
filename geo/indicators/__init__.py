"""The indicator pipeline: mobile coverage, zonal statistics, table counts, roll-ups, vintages, villages, targets, ranking; the registry that declares every indicator once."""

__all__ = [
    "aggregate",
    "build",
    "convert",
    "counts",
    "coverage",
    "formatting",
    "ranking",
    "registry",
    "targets",
    "villages",
    "zonal",
]
