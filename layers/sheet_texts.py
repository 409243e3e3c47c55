"""Every word a print sheet or the atlas writes, in Vietnamese and English.

The sheets (:mod:`layers.mapsheet`, :mod:`layers.atlas`) are drawn by the
layers, which import nothing from ``application``; their texts live here and
:mod:`application.i18n` adds them to its strings, so one test checks that
every key has both languages with the same placeholders. The indicator
names and class labels come from :mod:`geo.indicators.registry`.
"""

from __future__ import annotations

from typing import Final

from geo.indicators.registry import DEFAULT_LANG

SHEET_TEXTS: Final[dict[str, dict[str, str]]] = {
    "sheet_country": {"vi": "Việt Nam", "en": "Viet Nam"},
    "sheet_north": {"vi": "B", "en": "N"},
    "sheet_unit": {"vi": "đơn vị: {unit}", "en": "unit: {unit}"},
    "sheet_level_commune": {"vi": "cấp xã", "en": "communes"},
    "sheet_level_district": {"vi": "cấp huyện (cũ)", "en": "former districts"},
    "sheet_level_province": {"vi": "cấp tỉnh", "en": "provinces"},
    "sheet_scheme_2025": {
        "vi": "đơn vị hành chính từ 1/7/2025",
        "en": "administrative units from 1 July 2025",
    },
    "sheet_scheme_legacy": {
        "vi": "đơn vị hành chính trước 7/2025",
        "en": "administrative units before July 2025",
    },
    "sheet_demo": {
        "vi": "SỐ LIỆU MINH HOẠ (DEMO) — không phải số liệu thật",
        "en": "DEMO DATA — not real figures",
    },
    "sheet_approximate": {"vi": "RANH GIỚI GẦN ĐÚNG", "en": "APPROXIMATE BOUNDARIES"},
    "sheet_approximate_long": {
        "vi": "RANH GIỚI GẦN ĐÚNG — không dùng cho mục đích pháp lý",
        "en": "APPROXIMATE BOUNDARIES — not for legal use",
    },
    "sheet_sources": {"vi": "Nguồn số liệu:", "en": "Sources:"},
    "sheet_source_mobile": {"vi": "di động", "en": "mobile"},
    "sheet_source_population": {"vi": "dân số", "en": "population"},
    "sheet_source_fibre": {"vi": "cáp quang", "en": "fibre"},
    "sheet_source_teams": {"vi": "tổ công nghệ số", "en": "digital-technology teams"},
    "sheet_as_of": {"vi": "ngày {date}", "en": "as of {date}"},
    "sheet_no_sources": {
        "vi": "chưa có số liệu phủ sóng, cáp quang hay tổ công nghệ số",
        "en": "no coverage, fibre or team figures yet",
    },
    "sheet_approximate_note": {
        "vi": "Ranh giới gần đúng, do dự án dựng từ danh mục hành chính; không dùng cho mục đích pháp lý.",
        "en": "Approximate boundaries, built by the project from the official register; not for legal use.",
    },
    "sheet_counts_note": {
        "vi": "Số trong ngoặc ở chú giải: số đơn vị hành chính trên bản đồ.",
        "en": "Numbers in brackets in the legend: administrative units on the map.",
    },
    "sheet_made": {"vi": "Lập ngày {date}.", "en": "Made on {date}."},
    "sheet_hoang_sa": {"vi": "Quần đảo Hoàng Sa", "en": "Hoàng Sa archipelago"},
    "sheet_truong_sa": {"vi": "Quần đảo Trường Sa", "en": "Trường Sa archipelago"},
    # The atlas.
    "atlas_title": {"vi": "Tập bản đồ hạ tầng số", "en": "Digital infrastructure atlas"},
    "atlas_pdf_title": {"vi": "Tập bản đồ: {indicator}", "en": "Atlas: {indicator}"},
    "atlas_pages": {"vi": "{n} trang", "en": "{n} pages"},
    "atlas_summary": {
        "vi": "Tình trạng đạt mục tiêu theo tỉnh/thành phố",
        "en": "Targets met by province",
    },
    "atlas_code": {"vi": "Mã", "en": "Code"},
    "atlas_province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "atlas_communes": {"vi": "Số xã", "en": "Communes"},
    "atlas_reached": {"vi": "Đạt", "en": "Met"},
    "atlas_missed": {"vi": "Chưa đạt", "en": "Missed"},
    "atlas_licence": {
        "vi": "Ranh giới và số liệu chỉ dùng để xem tổng quan và lập kế hoạch; không dùng để xác định địa giới.",
        "en": "Boundaries and figures are for overview and planning only; never use them to settle a boundary.",
    },
}


def sheet_text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The sheet text ``key`` in ``lang`` (Vietnamese when ``lang`` is unknown), placeholders filled.

    Raises
    ------
    KeyError
        When ``key`` is not a sheet text (a typo in the caller).
    """
    entry = SHEET_TEXTS[key]
    template = entry.get(lang, entry[DEFAULT_LANG])
    return template.format(**values) if values else template
