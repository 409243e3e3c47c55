"""Roll commune indicators up to districts and provinces: totals summed, ratios rebuilt.

A percentage of a district is never the mean of its communes' percentages:
it is the district's numerator over its denominator, both summed over the
communes where both are known. A total is missing only when it is missing
for every commune of the unit; how many communes were counted is kept in
``n_communes``.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo import schema as s
from geo.indicators import registry
from geo.indicators.zonal import percent

# Ratio column → (numerator, denominator), as the registry declares them.
RATIOS: Final[dict[str, tuple[str, str]]] = registry.ratios()
COUNTS: Final = (
    s.POP_TOTAL,
    s.POP_COVERED_4G,
    s.AREA_COVERED_4G_KM2,
    s.AREA_OBSERVED_KM2,
    s.HOUSEHOLDS,
    s.HOUSEHOLDS_FIBRE,
    s.HOUSEHOLDS_FIBRE_SUBSCRIBED,
    s.VILLAGES,
    s.VILLAGES_WITH_TEAM,
    s.TEAMS,
    s.TEAM_MEMBERS,
    s.COMMUNES_WITH_FIBRE,
    s.COMMUNES_FIBRE_KNOWN,
    s.N_UNCOVERED,
)


def add_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Set every ratio of ``RATIOS`` whose numerator and denominator are columns of ``table``."""
    out = table.copy()
    for ratio, (numerator, denominator) in RATIOS.items():
        if numerator in out and denominator in out:
            out[ratio] = percent(out[numerator], out[denominator])
    return out


def commune_counts(communes: pd.DataFrame) -> pd.DataFrame:
    """Per-commune counts that roll up: yes/no columns turned into 0/1 counts."""
    out = communes.copy()
    if s.FIBRE_TO_COMMUNE in out:
        flag = out[s.FIBRE_TO_COMMUNE].astype("boolean")
        out[s.COMMUNES_FIBRE_KNOWN] = flag.notna().astype(float)
        out[s.COMMUNES_WITH_FIBRE] = flag.astype("Float64").astype(float)
    if s.UNCOVERED in out:
        out[s.N_UNCOVERED] = out[s.UNCOVERED].astype("boolean").astype("Float64").astype(float)
    return out


def aggregate_units(communes: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum the counts of ``communes`` by the column ``by`` and rebuild the ratios.

    Parameters
    ----------
    communes
        One row per commune with (some of) the columns of ``COUNTS``;
        ``fibre_to_commune`` and ``uncovered`` are counted.
    by
        Grouping column, e.g. ``province_code`` or ``district_code``.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``by`` (index), ``n_communes``, the summed
        counts and the ratios.
    """
    table = commune_counts(communes)
    present = [c for c in COUNTS if c in table]
    grouped = table.groupby(by, sort=True, dropna=True)
    out = grouped[present].sum(min_count=1) if present else pd.DataFrame(index=grouped.size().index)
    out.insert(0, s.N_COMMUNES, grouped.size())
    for ratio, (numerator, denominator) in RATIOS.items():
        if numerator in table and denominator in table:
            both = table[numerator].notna() & table[denominator].notna()
            num = table[numerator].where(both).groupby(table[by]).sum(min_count=1)
            den = table[denominator].where(both).groupby(table[by]).sum(min_count=1)
            out[ratio] = percent(num, den).reindex(out.index)
    return out
