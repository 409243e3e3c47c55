"""A commune's profile: every indicator, its targets, its other-vintage communes, its sources.

``commune_profile`` gathers plain values (testable without a browser);
``profile_html`` turns them into one HTML block in which every string that
came from data is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from application.i18n import text
from geo import schema as s
from geo.indicators import registry
from geo.indicators import targets as t
from geo.indicators.formatting import format_share

#: The indicators the profile lists, in order (names, units and decimals from the registry).
_PROFILE_COLUMNS: tuple[str, ...] = (
    s.POP_TOTAL,
    s.POP_COVERED_4G,
    s.PCT_POP_4G,
    s.PCT_AREA_4G,
    s.HOUSEHOLDS,
    s.HOUSEHOLDS_FIBRE,
    s.PCT_HOUSEHOLDS_FIBRE,
    s.FIBRE_TO_COMMUNE,
    s.VILLAGES,
    s.VILLAGES_WITH_TEAM,
    s.PCT_VILLAGES_TEAM,
    s.TEAMS,
    s.TEAM_MEMBERS,
)


@dataclass(frozen=True)
class Profile:
    """What the profile shows, as plain text (not yet escaped).

    Attributes
    ----------
    code, name, province
        Identity of the commune.
    indicators
        (label, value) pairs, in a fixed order.
    targets
        (target label, threshold text, status text) triples.
    related_title
        "Formed from the former communes" (2025) or "Now part of" (legacy).
    related
        (code, name) of the communes of the other scheme.
    sources
        (input label, file, as-of date) triples.
    """

    code: str
    name: str
    province: str
    indicators: tuple[tuple[str, str], ...]
    targets: tuple[tuple[str, str, str], ...]
    related_title: str
    related: tuple[tuple[str, str], ...]
    sources: tuple[tuple[str, str, str], ...]


def commune_profile(
    row: pd.Series,
    *,
    scheme: str,
    crosswalk: pd.DataFrame,
    config: t.Config,
    lang: str = "vi",
) -> Profile:
    """The profile of one commune (a row of the scheme's commune indicator table).

    Parameters
    ----------
    row
        The commune's row: identity, indicators, ``source_*`` and ``as_of_*``.
    scheme
        ``"2025"`` or ``"legacy"``.
    crosswalk
        ``geo.reference.crosswalk.read_crosswalk()``.
    config
        The targets the status is read against.
    lang
        Language of labels.
    """
    code = str(row[s.COMMUNE_CODE])
    return Profile(
        code=code,
        name=_str(row.get(s.COMMUNE_NAME)),
        province=_str(row.get(s.PROVINCE_NAME)),
        indicators=tuple(
            (registry.indicator(c).label(lang), _value(row.get(c), c, lang))
            for c in _PROFILE_COLUMNS
            if c in row.index
        ),
        targets=tuple(_target_status(row, target, lang) for target in config.enabled),
        related_title=text("profile_legacy" if scheme == s.VINTAGE_2025 else "profile_new", lang),
        related=related_communes(code, scheme=scheme, crosswalk=crosswalk),
        sources=tuple(
            (
                text(f"input_{name}", lang),
                _str(row.get(s.source_column(name))) or text("not_loaded", lang),
                _str(row.get(s.as_of_column(name))),
            )
            for name in s.INPUTS
        ),
    )


def related_communes(
    code: str, *, scheme: str, crosswalk: pd.DataFrame
) -> tuple[tuple[str, str], ...]:
    """The legacy communes of a 2025 commune, or the 2025 communes of a legacy one (code, name)."""
    if scheme == s.VINTAGE_2025:
        rows = crosswalk[crosswalk[s.NEW_COMMUNE_CODE] == code]
        pairs = zip(rows[s.LEGACY_COMMUNE_CODE], rows[s.LEGACY_COMMUNE_NAME])
    else:
        rows = crosswalk[crosswalk[s.LEGACY_COMMUNE_CODE] == code]
        pairs = zip(rows[s.NEW_COMMUNE_CODE], rows[s.NEW_COMMUNE_NAME])
    return tuple(sorted({(str(c), _str(n)) for c, n in pairs if isinstance(c, str)}))


def _str(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _value(value: object, column: str, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return text("no_data", lang)
    return registry.indicator(column).format(value, lang)


def _target_status(row: pd.Series, target: t.Target, lang: str) -> tuple[str, str, str]:
    column = registry.deciding_indicator(target.name).column
    value = row.get(column)
    threshold = "" if target.min_pct is None else f"≥ {format_share(target.min_pct, lang=lang)}"
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        status = "status_unknown"
    elif target.min_pct is None:
        status = "status_met" if bool(value) else "status_missed"
    else:
        status = "status_met" if float(value) >= target.min_pct else "status_missed"
    return text(f"target_{target.name}", lang), threshold, text(status, lang)


def profile_html(profile: Profile, *, lang: str = "vi") -> str:
    """The profile as one HTML block; every text is escaped."""
    e = html.escape
    cell = 'style="padding:2px 8px;border-bottom:1px solid #ddd;"'

    def table(rows: tuple[tuple[str, ...], ...]) -> str:
        body = "".join(
            "<tr>" + "".join(f"<td {cell}>{e(v)}</td>" for v in r) + "</tr>" for r in rows
        )
        return f'<table style="border-collapse:collapse;margin-bottom:8px;">{body}</table>'

    related = ", ".join(f"{e(n)} ({e(c)})" for c, n in profile.related) or e(
        text("profile_none", lang)
    )
    return (
        '<div class="vn-profile">'
        f"<h3 style='margin:0'>{e(profile.name)}</h3>"
        f"<div>{e(profile.province)} · {e(text('profile_code', lang))} {e(profile.code)}</div>"
        f"<h4>{e(text('profile_indicators', lang))}</h4>{table(profile.indicators)}"
        f"<h4>{e(text('profile_targets', lang))}</h4>{table(profile.targets)}"
        f"<h4>{e(profile.related_title)}</h4><div>{related}</div>"
        f"<h4>{e(text('profile_sources', lang))}</h4>{table(profile.sources)}"
        "</div>"
    )
