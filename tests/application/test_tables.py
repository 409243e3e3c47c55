"""On-screen tables in the reader's language (application.tables)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from application.i18n import text
from application.tables import (
    REPORT_MAIN,
    import_report,
    report_main,
    sources_on_screen,
    uncovered_on_screen,
    villages_on_screen,
)
from geo import schema as s
from geo.indicators import ranking as r


def _sources() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "input": ["boundaries", "fibre"],
            "file": ["merged-1234.gpkg", "DEMO_fibre.csv"],
            "as_of": [None, "2026-12-07 (file date)"],
            "demo": [False, True],
        }
    )


def test_sources_show_kind_file_date_demo_and_origin() -> None:
    table = sources_on_screen(
        _sources(), lang="vi", overridden={"boundaries"}, uploaded_name="hn.geojson"
    )
    assert list(table.columns) == ["Loại", "Tệp", "Ngày số liệu", "Dữ liệu mẫu", "Nguồn nạp"]
    assert list(table["Tệp"]) == ["hn.geojson", "DEMO_fibre.csv"]
    assert list(table["Ngày số liệu"]) == ["", "2026-12-07 (ngày của tệp)"]
    assert list(table["Dữ liệu mẫu"]) == ["Không", "Có"]
    assert table["Nguồn nạp"].iloc[0] == "tải lên (phiên này)"
    assert table["Loại"].iloc[0] == "Ranh giới hành chính"


def test_sources_without_uploads_keep_their_file_names() -> None:
    table = sources_on_screen(_sources(), lang="en")
    assert list(table["File"]) == ["merged-1234.gpkg", "DEMO_fibre.csv"]
    assert table["Loaded from"].nunique() == 1


def test_import_report_keeps_codes_as_text_and_translates(tmp_path: Path) -> None:
    path = tmp_path / "up.report.csv"
    pd.DataFrame(
        {
            "feature": [1, 2],
            "source_name": ["Phường Ba Đình", "?"],
            "source_code": ["00004", ""],
            "outcome": ["matched", "something-new"],
            "commune_code": ["00004", ""],
            "commune_name": ["Phường Ba Đình", ""],
            "province_code": ["01", ""],
            "reason": ["", "no name"],
            "extra": ["a", "b"],
        }
    ).to_csv(path, index=False)
    report = import_report(path, lang="vi")
    assert list(report["Mã xã (danh mục)"]) == ["00004", ""]
    assert list(report["Kết quả"]) == ["Đã ghép", "something-new"]
    assert "extra" in report.columns  # an unknown header is shown as it is
    main = report_main(report, lang="vi")
    assert len(main.columns) == len(REPORT_MAIN) and "extra" not in main.columns


def test_uncovered_rounds_counts_and_shares_for_the_screen() -> None:
    ranked = pd.DataFrame(
        {
            r.RANK: [1, 2],
            s.COMMUNE_CODE: ["02269", "02266"],
            s.COMMUNE_NAME: ["Xã Thượng Lâm", "Xã Lâm Bình"],
            r.POP_UNCOVERED: [1234.6, np.nan],
            s.PCT_HOUSEHOLDS_FIBRE: [49.96, 12.345],
            r.REASONS: ["a", "b"],
        }
    )
    table = uncovered_on_screen(ranked, lang="vi")
    assert list(table.columns) == [
        "Hạng",
        "Mã xã",
        "Xã/phường",
        "Dân số chưa có 4G",
        "Tỷ lệ hộ có thể sử dụng cáp quang (%)",
        "Lý do",
    ]
    assert table["Dân số chưa có 4G"].iloc[0] == 1235 and pd.isna(
        table["Dân số chưa có 4G"].iloc[1]
    )
    assert list(table[text("ind_pct_households_fibre", "vi")]) == [50.0, 12.3]


def test_villages_get_their_headers() -> None:
    columns = [
        s.PROVINCE_NAME,
        s.COMMUNE_CODE,
        s.COMMUNE_NAME,
        s.VILLAGE_NAME,
        s.TEAMS,
        s.VILLAGE_HAS_4G,
        r.REASONS,
        r.NOTES,
        "table",
    ]
    listed = pd.DataFrame([["x"] * len(columns)], columns=columns)
    table = villages_on_screen(listed, lang="en")
    assert "table" not in table.columns and len(table.columns) == len(columns) - 1
