"""The tables the pages show, with headers and values in the reader's language.

The library's tables keep their column names and every digit (for exports and
the command line); these functions give the on-screen copies: the inputs of the
Data page, the import report of an uploaded boundary file, the ranked
uncovered communes and the uncovered villages.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Final

import pandas as pd

from application.i18n import STRINGS, text
from geo import schema as s
from geo.importing import matching
from geo.indicators import ranking as r

#: MIME type of each export format, in the order of the download buttons.
EXPORT_MIMES: Final[dict[str, str]] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "geojson": "application/geo+json",
}
#: Columns of the import report a planner checks per feature (the rest sit in an expander).
REPORT_MAIN: Final = (
    "feature",
    "source_name",
    "source_code",
    "outcome",
    "commune_code",
    "commune_name",
    "reason",
)
_UNCOVERED_LABELS: Final = {
    r.RANK: "col_rank",
    s.COMMUNE_CODE: "col_code",
    s.COMMUNE_NAME: "col_name",
    s.PROVINCE_NAME: "col_province",
    r.POP_UNCOVERED: "col_pop_uncovered",
    r.HOUSEHOLDS_NO_FIBRE: "col_households_no_fibre",
    s.PCT_POP_4G: "ind_pct_pop_4g",
    s.PCT_HOUSEHOLDS_FIBRE: "ind_pct_households_fibre",
    s.FIBRE_TO_COMMUNE: "ind_fibre_to_commune",
    s.PCT_VILLAGES_TEAM: "ind_pct_villages_team",
    r.REASONS: "col_reasons",
}
_VILLAGE_LABELS: Final = {
    s.PROVINCE_NAME: "col_province",
    s.COMMUNE_CODE: "col_code",
    s.COMMUNE_NAME: "col_name",
    s.VILLAGE_NAME: "col_village",
    s.TEAMS: "col_teams",
    s.VILLAGE_HAS_4G: "col_has_4g",
    r.REASONS: "col_reasons",
    r.NOTES: "col_notes",
}
# On screen people count whole people and households and read percentages to one decimal.
_COUNTS: Final = (r.POP_UNCOVERED, r.HOUSEHOLDS_NO_FIBRE)
_SHARES: Final = (s.PCT_POP_4G, s.PCT_HOUSEHOLDS_FIBRE, s.PCT_VILLAGES_TEAM)


def sources_on_screen(
    sources: pd.DataFrame,
    *,
    lang: str,
    overridden: Collection[str] = (),
    uploaded_name: str | None = None,
    uploaded: Collection[tuple[str, str]] = (),
) -> pd.DataFrame:
    """The inputs table of the Data page: kind, file, as-of date, demo flag and where each came from.

    Parameters
    ----------
    sources
        :func:`application.app_data.sources_table` (``input``, ``file``, ``as_of``, ``demo``).
    lang
        The reader's language.
    overridden
        Inputs this session uploaded (``"fibre"``, ``"teams"``, ``"boundaries"``).
    uploaded_name
        Name of the boundary file this session uploaded: shown instead of its merged copy's name.
    uploaded
        (input, file name) of the tables this session added to the default ones.
    """
    kinds = sources["input"]
    table = sources.assign(
        input=kinds.map(lambda k: text(f"input_{k}", lang)),
        file=[
            uploaded_name if k == "boundaries" and uploaded_name else f
            for k, f in zip(kinds, sources["file"])
        ],
        as_of=sources["as_of"]
        .fillna("")
        .astype(str)
        .str.replace("(file date)", f"({text('file_date', lang)})", regex=False),
        origin=[
            text(
                "origin_upload" if k in overridden or (k, f) in set(uploaded) else "origin_default",
                lang,
            )
            for k, f in zip(kinds, sources["file"])
        ],
        demo=sources["demo"].map(lambda d: text("flag_yes" if d else "flag_no", lang)),
    )
    headers = {c: text(f"col_{c}", lang) for c in ("input", "file", "as_of", "demo", "origin")}
    return table.rename(columns=headers)


def import_report(path: Path, *, lang: str) -> pd.DataFrame:
    """An import report (``OUT.report.csv``) with its known headers and outcomes in ``lang``.

    Codes stay text ("00004"); a header or outcome without a translation is shown as it is.
    """
    report = pd.read_csv(
        path,
        dtype={matching.SOURCE_CODE: str, "commune_code": str, "province_code": str},
        keep_default_na=False,
    )
    report[matching.OUTCOME] = report[matching.OUTCOME].map(
        lambda v: text(f"outcome_{v}", lang) if f"outcome_{v}" in STRINGS else v
    )
    return report.rename(
        columns={c: text(f"rep_{c}", lang) for c in report.columns if f"rep_{c}" in STRINGS}
    )


def report_main(report: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """The columns of :data:`REPORT_MAIN` of a report from :func:`import_report`."""
    return report[[text(f"rep_{c}", lang) for c in REPORT_MAIN]]


def uncovered_on_screen(ranked: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Ranked uncovered communes (:func:`geo.indicators.ranking.rank_uncovered`) as the page shows them.

    Counts of people and households are rounded to whole numbers, percentages to one
    decimal (the downloads keep every digit); headers are in ``lang``.
    """
    rounded = ranked.assign(
        **{c: ranked[c].round(0).astype("Int64") for c in _COUNTS if c in ranked},
        **{c: ranked[c].round(1) for c in _SHARES if c in ranked},
    )
    labels = {c: text(key, lang) for c, key in _UNCOVERED_LABELS.items() if c in ranked}
    return rounded[list(labels)].rename(columns=labels)


def villages_on_screen(listed: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Uncovered villages (:func:`geo.indicators.ranking.uncovered_villages`) with headers in ``lang``."""
    labels = {c: text(key, lang) for c, key in _VILLAGE_LABELS.items()}
    return listed[list(labels)].rename(columns=labels)
