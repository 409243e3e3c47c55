"""Every indicator, declared once: its column, kind, unit, ratio, target, names and classes.

The map, its legend, the commune profile, the exports, the print sheets,
the atlas, the ranking and the roll-ups all read the facts about an
indicator from :data:`INDICATORS`, so an indicator has one name per
language wherever it is shown. Look one up with :func:`indicator`.

The module also holds the texts that the data core itself writes in the
reader's language (the reasons a commune misses a target, the notes on a
village, the class labels of a map), so that ``geo`` needs nothing from
``application`` or ``layers``; ``application.i18n`` adds them to its strings.

Names follow the wording of Vietnamese provincial reports ("Tỷ lệ dân số
được phủ sóng 4G"); a ratio is a "Tỷ lệ …" of the count it is built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from geo import schema as s
from geo.errors import InputError
from geo.indicators import targets as t
from geo.indicators.formatting import format_number

Kind = Literal["percent", "count", "area", "flag", "text"]
#: Classification schemes of a map (``layers.choropleth.view_indicator``).
Scheme = Literal["policy", "quantiles", "natural", "yes_no"]
LANGS: Final = ("vi", "en")
DEFAULT_LANG: Final = "vi"

_NUMBER_SCHEMES: Final[tuple[Scheme, ...]] = ("quantiles", "natural")
_TARGET_SCHEMES: Final[tuple[Scheme, ...]] = ("policy", "quantiles", "natural")
_FLAG_SCHEMES: Final[tuple[Scheme, ...]] = ("yes_no",)


@dataclass(frozen=True)
class Indicator:
    """The facts about one indicator column.

    Attributes
    ----------
    column
        Column of the indicator tables and layers (``geo.schema``).
    kind
        ``"percent"`` (0–100), ``"count"``, ``"area"`` (km²), ``"flag"`` (yes/no) or ``"text"``.
    name_vi, name_en
        The name in each language, without the unit.
    unit_vi, unit_en
        The unit in each language ("" for flags and texts).
    numerator, denominator
        For a percentage: the count columns it is rebuilt from (numerator / denominator × 100).
    target
        Name of the target (``geo.indicators.targets``) the indicator is read against.
    decides_target
        True for the commune indicator whose value decides ``target``
        (``geo.indicators.build.evaluate_targets``); a roll-up of it read
        against the same target (``pct_communes_fibre``) is False.
    higher_is_better
        False where more is worse (``uncovered``, ``n_uncovered``).
    decimals
        Decimals shown (labels, profile, legends); files keep full precision.
    schemes
        Classification schemes that apply, the default first.
    """

    column: str
    kind: Kind
    name_vi: str
    name_en: str
    unit_vi: str = ""
    unit_en: str = ""
    numerator: str | None = None
    denominator: str | None = None
    target: str | None = None
    decides_target: bool = False
    higher_is_better: bool = True
    decimals: int = 0
    schemes: tuple[Scheme, ...] = _NUMBER_SCHEMES

    def name(self, lang: str = DEFAULT_LANG) -> str:
        """The name in ``lang`` (Vietnamese unless ``"en"``)."""
        return self.name_en if lang == "en" else self.name_vi

    def unit(self, lang: str = DEFAULT_LANG) -> str:
        """The unit in ``lang`` ("" when it has none)."""
        return self.unit_en if lang == "en" else self.unit_vi

    def label(self, lang: str = DEFAULT_LANG) -> str:
        """Name as a selector, legend or profile shows it: ``"Tỷ lệ dân số được phủ sóng 4G (%)"``.

        The unit is in brackets for a percentage or an area; a count ("Số hộ
        gia đình") names its unit already. Tables that have room for units
        (the exports) show every unit (``layers.export.column_info``).
        """
        if self.kind in ("percent", "area"):
            return f"{self.name(lang)} ({self.unit(lang)})"
        return self.name(lang)

    @property
    def is_ratio(self) -> bool:
        """True when the indicator is rebuilt from a numerator and a denominator."""
        return self.numerator is not None and self.denominator is not None

    def format(self, value: float | bool | str, lang: str = DEFAULT_LANG) -> str:
        """A known number as shown to people: ``"99,5 %"``, ``"1.234"``, ``"Có"``."""
        if self.kind == "flag":
            return text("flag_yes" if bool(value) else "flag_no", lang)
        if self.kind == "text":
            return str(value)
        number = format_number(float(value), decimals=self.decimals, lang=lang)
        return f"{number} %" if self.kind == "percent" else number


def _percent(
    column: str,
    numerator: str,
    denominator: str,
    name_vi: str,
    name_en: str,
    *,
    target: str | None = None,
    decides_target: bool = False,
) -> Indicator:
    return Indicator(
        column,
        "percent",
        name_vi,
        name_en,
        "%",
        "%",
        numerator=numerator,
        denominator=denominator,
        target=target,
        decides_target=decides_target,
        decimals=1,
        schemes=_TARGET_SCHEMES if target else _NUMBER_SCHEMES,
    )


INDICATORS: Final[tuple[Indicator, ...]] = (
    # Mobile coverage.
    Indicator(s.POP_TOTAL, "count", "Dân số", "Population", "người", "people"),
    Indicator(
        s.POP_COVERED_4G,
        "count",
        "Dân số được phủ sóng 4G",
        "Population covered by 4G",
        "người",
        "people",
    ),
    _percent(
        s.PCT_POP_4G,
        s.POP_COVERED_4G,
        s.POP_TOTAL,
        "Tỷ lệ dân số được phủ sóng 4G",
        "Share of the population covered by 4G",
        target=t.POP_4G,
        decides_target=True,
    ),
    Indicator(
        s.AREA_COVERED_4G_KM2,
        "area",
        "Diện tích được phủ sóng 4G",
        "Area covered by 4G",
        "km²",
        "km²",
        decimals=1,
    ),
    Indicator(
        s.AREA_OBSERVED_KM2,
        "area",
        "Diện tích có số liệu phủ sóng",
        "Area with coverage data",
        "km²",
        "km²",
        decimals=1,
    ),
    _percent(
        s.PCT_AREA_4G,
        s.AREA_COVERED_4G_KM2,
        s.AREA_OBSERVED_KM2,
        "Tỷ lệ diện tích được phủ sóng 4G",
        "Share of the area covered by 4G",
    ),
    # Fibre broadband.
    Indicator(s.HOUSEHOLDS, "count", "Số hộ gia đình", "Households", "hộ", "households"),
    Indicator(
        s.HOUSEHOLDS_FIBRE,
        "count",
        "Số hộ có thể sử dụng cáp quang",
        "Households able to get fibre",
        "hộ",
        "households",
    ),
    _percent(
        s.PCT_HOUSEHOLDS_FIBRE,
        s.HOUSEHOLDS_FIBRE,
        s.HOUSEHOLDS,
        "Tỷ lệ hộ có thể sử dụng cáp quang",
        "Share of households able to get fibre",
        target=t.FIBRE_HOUSEHOLDS,
        decides_target=True,
    ),
    Indicator(
        s.FIBRE_TO_COMMUNE,
        "flag",
        "Cáp quang đến xã",
        "Fibre reaches the commune",
        target=t.FIBRE_TO_COMMUNE,
        decides_target=True,
        schemes=_FLAG_SCHEMES,
    ),
    Indicator(
        s.COMMUNES_WITH_FIBRE,
        "count",
        "Số xã có cáp quang",
        "Communes with fibre",
        "xã",
        "communes",
    ),
    Indicator(
        s.COMMUNES_FIBRE_KNOWN,
        "count",
        "Số xã có số liệu cáp quang",
        "Communes with fibre data",
        "xã",
        "communes",
    ),
    _percent(
        s.PCT_COMMUNES_FIBRE,
        s.COMMUNES_WITH_FIBRE,
        s.COMMUNES_FIBRE_KNOWN,
        "Tỷ lệ xã có cáp quang",
        "Share of communes with fibre",
        target=t.FIBRE_TO_COMMUNE,
    ),
    # Community digital-technology teams.
    Indicator(s.VILLAGES, "count", "Số thôn/bản/tổ dân phố", "Villages", "thôn", "villages"),
    Indicator(
        s.VILLAGES_WITH_TEAM,
        "count",
        "Số thôn có tổ công nghệ số cộng đồng",
        "Villages with a community digital-technology team",
        "thôn",
        "villages",
    ),
    _percent(
        s.PCT_VILLAGES_TEAM,
        s.VILLAGES_WITH_TEAM,
        s.VILLAGES,
        "Tỷ lệ thôn có tổ công nghệ số cộng đồng",
        "Share of villages with a community digital-technology team",
        target=t.VILLAGES_TEAM,
        decides_target=True,
    ),
    Indicator(
        s.TEAMS,
        "count",
        "Số tổ công nghệ số cộng đồng",
        "Community digital-technology teams",
        "tổ",
        "teams",
    ),
    Indicator(
        s.TEAM_MEMBERS,
        "count",
        "Số thành viên tổ công nghệ số cộng đồng",
        "Members of community digital-technology teams",
        "người",
        "people",
    ),
    # Targets.
    Indicator(
        s.UNCOVERED,
        "flag",
        "Chưa đạt chỉ tiêu",
        "Misses a target",
        higher_is_better=False,
        schemes=_FLAG_SCHEMES,
    ),
    Indicator(s.UNCOVERED_REASONS, "text", "Chỉ tiêu chưa đạt", "Targets missed", schemes=()),
    Indicator(
        s.N_UNCOVERED,
        "count",
        "Số xã chưa đạt chỉ tiêu",
        "Communes missing a target",
        "xã",
        "communes",
        higher_is_better=False,
    ),
    # Size of the unit as drawn.
    Indicator(
        s.AREA_KM2, "area", "Diện tích theo ranh giới", "Area within the boundary", "km²", "km²"
    ),
)

_BY_COLUMN: Final[dict[str, Indicator]] = {i.column: i for i in INDICATORS}


def indicator(column: str) -> Indicator:
    """The indicator of ``column``.

    Raises
    ------
    InputError
        When ``column`` is not an indicator; the message lists those that are.
    """
    if column not in _BY_COLUMN:
        raise InputError(
            f"{column!r} is not an indicator column; choose one of {sorted(_BY_COLUMN)}"
        )
    return _BY_COLUMN[column]


def find_indicator(column: str) -> Indicator | None:
    """The indicator of ``column``, or None for another column (a code, a name, a source)."""
    return _BY_COLUMN.get(column)


def deciding_indicator(target: str) -> Indicator:
    """The commune indicator whose value decides ``target`` (one of ``targets.TARGET_NAMES``)."""
    found = [i for i in INDICATORS if i.target == target and i.decides_target]
    if not found:
        raise InputError(
            f"target {target!r} is not decided by any indicator; targets: {list(t.TARGET_NAMES)}"
        )
    if len(found) > 1:
        raise InputError(
            f"target {target!r} is decided by {[i.column for i in found]}; "
            "set decides_target on one of them only in geo/indicators/registry.py"
        )
    return found[0]


def ratios() -> dict[str, tuple[str, str]]:
    """Ratio column → (numerator, denominator), for every percentage rebuilt from counts."""
    return {
        i.column: (i.numerator, i.denominator)
        for i in INDICATORS
        if i.numerator is not None and i.denominator is not None
    }


# --- Texts the data core writes ----------------------------------------------------------------

#: Key → {"vi": …, "en": …}; ``{placeholders}`` filled by :func:`text`.
TEXTS: Final[dict[str, dict[str, str]]] = {
    # Values and map classes.
    "no_data": {"vi": "Không có số liệu", "en": "No data"},
    "all_values": {"vi": "Tất cả", "en": "All"},
    "flag_yes": {"vi": "Có", "en": "Yes"},
    "flag_no": {"vi": "Không", "en": "No"},
    "uncovered_yes": {"vi": "Chưa đạt", "en": "Misses a target"},
    "uncovered_no": {"vi": "Đạt", "en": "Meets the targets"},
    "policy_below80": {"vi": "Dưới 80 % chỉ tiêu (< {a})", "en": "Below 80 % of target (< {a})"},
    "policy_80_90": {"vi": "80–90 % chỉ tiêu ({a} – {b})", "en": "80–90 % of target ({a} – {b})"},
    "policy_90_100": {
        "vi": "90–100 % chỉ tiêu ({a} – {b})",
        "en": "90–100 % of target ({a} – {b})",
    },
    "policy_met": {"vi": "Đạt chỉ tiêu (≥ {a})", "en": "Target met (≥ {a})"},
    # Targets.
    "target_pop_4g": {"vi": "Phủ sóng 4G theo dân số", "en": "4G population coverage"},
    "target_fibre_households": {
        "vi": "Hộ có thể sử dụng cáp quang",
        "en": "Households able to get fibre",
    },
    "target_fibre_to_commune": {"vi": "Cáp quang đến xã", "en": "Fibre to the commune"},
    "target_villages_team": {
        "vi": "Thôn có tổ công nghệ số cộng đồng",
        "en": "Villages with a team",
    },
    # Why a commune misses a target (geo.indicators.ranking, geo.indicators.build).
    "reason_pop_4g": {
        "vi": "phủ sóng 4G {value}% dân số < {target}%",
        "en": "4G covers {value}% of people < {target}%",
    },
    "reason_fibre_households": {
        "vi": "cáp quang {value}% hộ < {target}%",
        "en": "fibre to {value}% of households < {target}%",
    },
    "reason_fibre_to_commune": {"vi": "chưa có cáp quang đến xã", "en": "no fibre to the commune"},
    "reason_villages_team": {
        "vi": "tổ công nghệ số ở {value}% thôn < {target}%",
        "en": "team in {value}% of villages < {target}%",
    },
    # Villages (geo.indicators.ranking.uncovered_villages).
    "reason_village_no_team": {
        "vi": "chưa có tổ công nghệ số cộng đồng",
        "en": "no digital-technology team",
    },
    "reason_village_no_4g": {"vi": "chưa có sóng 4G", "en": "no 4G signal"},
    "village_teams_unknown": {"vi": "chưa có số liệu tổ công nghệ số", "en": "teams not reported"},
    "village_4g_unknown": {"vi": "chưa có số liệu sóng 4G", "en": "4G not reported"},
    "village_split": {
        "vi": "xã cũ {code} đã chia cho các xã mới {codes}: chưa xác định thôn thuộc xã nào",
        "en": "former commune {code} was split among {codes}: the village's 2025 commune is not known",
    },
}


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text ``key`` in ``lang`` (Vietnamese when ``lang`` is unknown), placeholders filled.

    Raises
    ------
    KeyError
        When ``key`` is not a text of this module (a typo in the caller).
    """
    entry = TEXTS[key]
    template = entry.get(lang, entry[DEFAULT_LANG])
    return template.format(**values) if values else template


def indicator_strings() -> dict[str, dict[str, str]]:
    """``"ind_<column>"`` → the indicator's label in each language, plus :data:`TEXTS` (for ``application.i18n``)."""
    labels = {f"ind_{i.column}": {lang: i.label(lang) for lang in LANGS} for i in INDICATORS}
    return {**TEXTS, **labels}


def class_texts(lang: str = DEFAULT_LANG, *, column: str | None = None) -> dict[str, str]:
    """The class labels a map of ``column`` needs, in ``lang`` (``layers.choropleth.view_indicator``).

    ``no_data``, ``yes``, ``no`` and the policy labels ``below80``,
    ``80_90``, ``90_100``, ``met``; for ``uncovered`` "yes"/"no" read
    "misses"/"meets the targets".
    """
    keys = {
        "no_data": "no_data",
        "yes": "flag_yes",
        "no": "flag_no",
        "below80": "policy_below80",
        "80_90": "policy_80_90",
        "90_100": "policy_90_100",
        "met": "policy_met",
    }
    if column == s.UNCOVERED:
        keys |= {"yes": "uncovered_yes", "no": "uncovered_no"}
    return {name: text(key, lang) for name, key in keys.items()}


def reason(target: t.Target, value: float | None, lang: str = DEFAULT_LANG) -> str:
    """Why a commune misses ``target``: its value against the threshold, in ``lang``."""
    if target.min_pct is None or value is None:
        return text(f"reason_{target.name}", lang)
    return text(
        f"reason_{target.name}",
        lang,
        value=format_number(value, decimals=1, lang=lang),
        target=format_number(
            target.min_pct, decimals=0 if float(target.min_pct).is_integer() else 1, lang=lang
        ),
    )
