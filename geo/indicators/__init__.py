"""The indicator pipeline: mobile coverage, zonal statistics, table counts, roll-ups, vintages, villages, targets, ranking."""

__all__ = [
    "aggregate",
    "build",
    "convert",
    "counts",
    "coverage",
    "ranking",
    "targets",
    "villages",
    "zonal",
]
