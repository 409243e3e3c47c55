"""Every string the app shows, in Vietnamese (default) and English.

``text(key, lang, **values)`` looks a string up and fills its ``{placeholders}``.
Keys are grouped by page; a test checks that every key has both languages
with the same placeholders. The names of the indicators (``ind_<column>``),
the targets, the reasons and the map's class labels come from
:mod:`geo.indicators.registry`, which declares them once. Strings here are
plain text: whoever puts one into HTML escapes it (``application.profile``, ``layers.choropleth``).
"""

from __future__ import annotations

from typing import Final, Literal

from geo.indicators import registry
from layers.sheet_texts import SHEET_TEXTS

Lang = Literal["vi", "en"]
LANGS: Final[tuple[Lang, ...]] = ("vi", "en")
DEFAULT_LANG: Final[Lang] = "vi"
LANG_NAMES: Final[dict[str, str]] = {"vi": "Tiếng Việt", "en": "English"}

_APP_STRINGS: Final[dict[str, dict[str, str]]] = {
    # Shell and navigation.
    "app_title": {
        "vi": "Bản đồ hạ tầng số theo xã/phường",
        "en": "Digital infrastructure by commune",
    },
    "language": {"vi": "Ngôn ngữ / Language", "en": "Ngôn ngữ / Language"},
    "page_map": {"vi": "Bản đồ", "en": "Map"},
    "page_uncovered": {"vi": "Xã chưa đạt chỉ tiêu", "en": "Uncovered communes"},
    "page_data": {"vi": "Dữ liệu", "en": "Data"},
    "page_meeting": {"vi": "Chế độ họp", "en": "Meeting mode"},
    "data_error": {"vi": "Không đọc được dữ liệu: {error}", "en": "Cannot read the data: {error}"},
    "loading": {
        "vi": "Đang tính các chỉ số (chỉ lần đầu, khoảng một phút)…",
        "en": "Computing the indicators (the first time only, about a minute)…",
    },
    "demo_banner": {
        "vi": "DỮ LIỆU MẪU (DEMO): số liệu phủ sóng, cáp quang và tổ công nghệ số là giả lập, chỉ để minh hoạ.",
        "en": "DEMO DATA: the coverage, fibre and team figures are simulated, for illustration only.",
    },
    "approximate_notice": {
        "vi": "**Ranh giới trên bản đồ là gần đúng.** Đường ranh giới xã/phường được tạo tự động từ toạ độ trung tâm "
        "và diện tích chính thức; chỉ dùng để xem tổng quan, không dùng để xác định địa giới.",
        "en": "**Boundaries on the map are approximate.** Commune outlines are generated from official centre points "
        "and areas; use them for an overview only, never to settle a boundary.",
    },
    "as_of": {"vi": "Số liệu đến ngày {date}", "en": "Data as of {date}"},
    "unknown_date": {"vi": "chưa rõ ngày", "en": "date unknown"},
    # Map page.
    "map_title": {"vi": "Bản đồ hạ tầng số", "en": "Digital infrastructure map"},
    "options": {"vi": "Tuỳ chọn", "en": "Options"},
    "indicator": {"vi": "Chỉ số", "en": "Indicator"},
    "level": {"vi": "Cấp", "en": "Level"},
    "scheme": {"vi": "Đơn vị hành chính", "en": "Administrative units"},
    "scheme_2025": {"vi": "Từ 1/7/2025 (2 cấp)", "en": "From 1 July 2025 (2 tiers)"},
    "scheme_legacy": {"vi": "Trước 7/2025 (3 cấp)", "en": "Before July 2025 (3 tiers)"},
    "level_commune": {"vi": "Xã/phường", "en": "Commune"},
    "level_district": {"vi": "Huyện", "en": "District"},
    "level_district_2025": {"vi": "Huyện cũ", "en": "Former district"},
    "level_province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "whole_country": {
        "vi": "Toàn quốc ({n} tỉnh/thành phố)",
        "en": "Whole country ({n} provinces)",
    },
    "whole_country_short": {"vi": "Toàn quốc", "en": "Whole country"},
    "classes": {"vi": "Phân lớp", "en": "Classes"},
    "classes_policy": {"vi": "Theo chỉ tiêu (80/90/100%)", "en": "Against the target (80/90/100%)"},
    "classes_quantiles": {"vi": "Ngũ phân vị", "en": "Quintiles"},
    "classes_natural": {"vi": "Ngắt tự nhiên (Jenks)", "en": "Natural breaks (Jenks)"},
    "print_map": {"vi": "In bản đồ", "en": "Print the map"},
    "legacy_converted": {
        "vi": "Đơn vị trước 7/2025: chỉ số được chuyển từ xã mới sang xã cũ theo bảng chuyển đổi (chia theo diện tích), "
        "không phải số liệu gốc của xã cũ.",
        "en": "Units before July 2025: indicators are converted from the 2025 communes through the crosswalk "
        "(area-weighted shares), not original figures of the former units.",
    },
    "district_2025_note": {
        "vi": "Cấp huyện đã bỏ từ 1/7/2025; mỗi xã mới được xếp vào huyện cũ chiếm phần lớn diện tích.",
        "en": "Districts were abolished on 1 July 2025; each 2025 commune is placed in the former district holding most of it.",
    },
    "meeting_button": {"vi": "Chế độ họp (toàn màn hình)", "en": "Meeting mode (full screen)"},
    "search": {
        "vi": "Tìm xã/phường hoặc tỉnh/thành phố (có dấu hoặc không dấu)",
        "en": "Find a commune or a province (with or without diacritics)",
    },
    "search_placeholder": {
        "vi": "vd. dat mui, Đầm Dơi, xã Hùng Lợi, Cà Mau",
        "en": "e.g. dat mui, Đầm Dơi, xa Hung Loi, Ca Mau",
    },
    "search_results": {
        "vi": "Kết quả tìm kiếm (chọn để xem)",
        "en": "Search results (choose one to show it)",
    },
    "search_none": {
        "vi": "Không tìm thấy xã/phường hay tỉnh/thành phố nào khớp với “{query}”.",
        "en": "No commune or province matches “{query}”.",
    },
    "search_nearest": {
        "vi": "Không tìm thấy “{query}”. Tên gần nhất: {names}.",
        "en": "No match for “{query}”. Nearest names: {names}.",
    },
    "profile_close": {"vi": "Đóng hồ sơ", "en": "Close the profile"},
    "click_hint": {
        "vi": "Bấm vào một xã trên bản đồ để xem hồ sơ.",
        "en": "Click a commune on the map to see its profile.",
    },
    "unit_list": {"vi": "Danh sách đơn vị — {place}", "en": "List of units — {place}"},
    "tip_name": {"vi": "Tên", "en": "Name"},
    "tip_province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "tip_value": {"vi": "Giá trị", "en": "Value"},
    # Indicators, targets, reasons and class labels: geo.indicators.registry (added below).
    "status_met": {"vi": "Đạt", "en": "Met"},
    "status_missed": {"vi": "Chưa đạt", "en": "Missed"},
    "status_unknown": {"vi": "Chưa có số liệu", "en": "No data"},
    # Profile.
    "profile": {"vi": "Hồ sơ xã", "en": "Commune profile"},
    "profile_indicators": {"vi": "Chỉ số", "en": "Indicators"},
    "profile_targets": {"vi": "Chỉ tiêu", "en": "Targets"},
    "profile_legacy": {"vi": "Hình thành từ các xã cũ", "en": "Formed from the former communes"},
    "profile_new": {"vi": "Thuộc xã mới (2025)", "en": "Now part of (2025)"},
    "profile_sources": {"vi": "Nguồn số liệu", "en": "Data sources"},
    "profile_code": {"vi": "Mã", "en": "Code"},
    "profile_none": {"vi": "Không có", "en": "None"},
    "input_boundaries": {"vi": "Ranh giới hành chính", "en": "Administrative boundaries"},
    "highlight_note": {
        "vi": "Viền đậm: {n} xã xếp hạng cao nhất (nhiều người chưa được phục vụ nhất).",
        "en": "Bold outline: the {n} highest-ranked communes (most people left out).",
    },
    "input_mobile": {"vi": "Phủ sóng di động", "en": "Mobile coverage"},
    "input_population": {"vi": "Dân số", "en": "Population"},
    "input_fibre": {"vi": "Cáp quang", "en": "Fibre"},
    "input_teams": {"vi": "Tổ công nghệ số", "en": "Digital-technology teams"},
    "not_loaded": {"vi": "chưa nạp", "en": "not loaded"},
    "close": {"vi": "Đóng", "en": "Close"},
    # Uncovered page.
    "uncovered_title": {"vi": "Xã chưa đạt chỉ tiêu", "en": "Communes that miss a target"},
    "targets_choice": {"vi": "Chỉ tiêu áp dụng", "en": "Targets applied"},
    "threshold": {"vi": "Ngưỡng (%)", "en": "Threshold (%)"},
    "uncovered_count": {
        "vi": "{n} xã chưa đạt / {total} xã",
        "en": "{n} of {total} communes miss a target",
    },
    "col_rank": {"vi": "Hạng", "en": "Rank"},
    "col_code": {"vi": "Mã xã", "en": "Commune code"},
    "col_name": {"vi": "Xã/phường", "en": "Commune"},
    "col_province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "col_pop_uncovered": {"vi": "Dân số chưa có 4G", "en": "People without 4G"},
    "col_households_no_fibre": {"vi": "Hộ chưa có cáp quang", "en": "Households without fibre"},
    "col_reasons": {"vi": "Lý do", "en": "Reasons"},
    "download_xlsx": {"vi": "Tải Excel", "en": "Download Excel"},
    "download_csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "download_geojson": {"vi": "Tải GeoJSON", "en": "Download GeoJSON"},
    "download_villages_xlsx": {
        "vi": "Tải danh sách thôn (Excel)",
        "en": "Download villages (Excel)",
    },
    "download_villages_csv": {"vi": "Tải danh sách thôn (CSV)", "en": "Download villages (CSV)"},
    "download_villages_geojson": {
        "vi": "Tải danh sách thôn (GeoJSON)",
        "en": "Download villages (GeoJSON)",
    },
    "downloads_missing": {
        "vi": "Chức năng tải về chưa sẵn sàng.",
        "en": "Downloads are not available yet.",
    },
    "none_uncovered": {
        "vi": "Không có xã nào chưa đạt các chỉ tiêu đã chọn.",
        "en": "No commune misses the chosen targets.",
    },
    # Uncovered page: villages.
    "villages_title": {"vi": "Thôn/tổ dân phố chưa đạt", "en": "Villages not covered"},
    "villages_reasons": {"vi": "Liệt kê thôn", "en": "List villages with"},
    "village_reason_no_team": {
        "vi": "chưa có tổ công nghệ số cộng đồng",
        "en": "no digital-technology team",
    },
    "village_reason_no_4g": {"vi": "chưa có sóng 4G (trắng/lõm sóng)", "en": "no 4G signal"},
    "villages_count": {
        "vi": "{n} thôn/tổ dân phố chưa đạt / {total} thôn có số liệu",
        "en": "{n} of {total} villages with data are not covered",
    },
    "villages_none": {
        "vi": "Không có thôn nào chưa đạt theo các lý do đã chọn.",
        "en": "No village misses the chosen criteria.",
    },
    "villages_no_rows": {
        "vi": "Bảng tổ công nghệ số đang dùng không có số liệu theo thôn, nên không lập được danh sách thôn chưa đạt.",
        "en": "The team table in use has no village rows, so there is no list of villages not covered.",
    },
    "villages_pick_reason": {
        "vi": "Chọn ít nhất một lý do để liệt kê thôn.",
        "en": "Choose at least one reason to list villages.",
    },
    "col_village": {"vi": "Thôn/tổ dân phố", "en": "Village"},
    "col_teams": {"vi": "Số tổ CNSCĐ", "en": "Teams"},
    "col_has_4g": {"vi": "Sóng 4G", "en": "4G signal"},
    "col_notes": {"vi": "Ghi chú", "en": "Notes"},
    # Data page.
    "data_title": {"vi": "Dữ liệu đang dùng", "en": "Data in use"},
    "data_dir": {"vi": "Thư mục dữ liệu: {path}", "en": "Data folder: {path}"},
    "col_input": {"vi": "Loại", "en": "Input"},
    "col_file": {"vi": "Tệp", "en": "File"},
    "col_as_of": {"vi": "Ngày số liệu", "en": "As of"},
    "col_demo": {"vi": "Dữ liệu mẫu", "en": "Demo"},
    "col_origin": {"vi": "Nguồn nạp", "en": "Loaded from"},
    "origin_default": {"vi": "mặc định", "en": "default"},
    "origin_upload": {"vi": "tải lên (phiên này)", "en": "uploaded (this session)"},
    "upload_boundaries": {
        "vi": "Tải lên ranh giới xã (Shapefile .zip, GeoPackage, GeoJSON)",
        "en": "Upload commune boundaries (zipped Shapefile, GeoPackage, GeoJSON)",
    },
    "upload_fibre": {
        "vi": "Tải lên bảng cáp quang (Excel/CSV)",
        "en": "Upload the fibre table (Excel/CSV)",
    },
    "upload_teams": {
        "vi": "Tải lên bảng tổ công nghệ số (Excel/CSV)",
        "en": "Upload the team table (Excel/CSV)",
    },
    "upload_note": {
        "vi": "Tệp tải lên chỉ dùng trong phiên làm việc này (tối đa {mb} MB mỗi tệp); người khác không thấy.",
        "en": "Uploads are used in this session only (at most {mb} MB per file); nobody else sees them.",
    },
    "upload_too_big": {
        "vi": "Tệp {name} quá lớn ({mb} MB); giới hạn là {limit} MB.",
        "en": "{name} is too large ({mb} MB); the limit is {limit} MB.",
    },
    "upload_failed": {
        "vi": "Không nạp được {name}: {error}",
        "en": "Could not load {name}: {error}",
    },
    "upload_ok": {"vi": "Đã nạp {name}: {n} xã/phường.", "en": "Loaded {name}: {n} communes."},
    "table_ok": {
        "vi": "Đã nạp {name}; bản đồ dùng bảng này trong phiên này.",
        "en": "Loaded {name}; the map uses it in this session.",
    },
    "import_report": {"vi": "Báo cáo nhập ranh giới", "en": "Boundary import report"},
    "table_report": {"vi": "Các dòng không được tính", "en": "Rows not counted"},
    "reset_uploads": {"vi": "Bỏ các tệp đã tải lên", "en": "Discard uploaded files"},
    "targets_file": {"vi": "Chỉ tiêu: {name}", "en": "Targets: {name}"},
    # Boundaries uploaded for one session.
    "boundaries_mixed": {
        "vi": "**Ranh giới:** {n_real} xã/phường của {provinces} lấy từ tệp tải lên {file} (ranh giới thật). "
        "{n_approx} xã/phường còn lại là ranh giới gần đúng, tạo tự động từ toạ độ trung tâm và diện tích chính thức; "
        "chỉ dùng để xem tổng quan, không dùng để xác định địa giới.",
        "en": "**Boundaries:** {n_real} communes of {provinces} come from the uploaded file {file} (real boundaries). "
        "The other {n_approx} communes are approximate, generated from official centre points and areas; "
        "use them for an overview only, never to settle a boundary.",
    },
    "boundaries_other_scheme": {
        "vi": "Ranh giới thật đã tải lên ({file}) là đơn vị “{scheme}”; chọn đơn vị đó để xem.",
        "en": "The real boundaries uploaded ({file}) are units “{scheme}”; choose those units to see them.",
    },
    "boundaries_ok": {
        "vi": "Đã nạp {name}: {n} xã/phường ({scheme}). Bản đồ và các chỉ số của phiên này dùng ranh giới này cho các xã/phường đó.",
        "en": "Loaded {name}: {n} communes ({scheme}). This session's map and indicators use these boundaries for those communes.",
    },
    "import_summary": {
        "vi": "Chi tiết kỹ thuật của lần nhập",
        "en": "Technical details of the import",
    },
    "rep_feature": {"vi": "STT", "en": "Feature"},
    "rep_source_name": {"vi": "Tên trong tệp", "en": "Name in the file"},
    "rep_source_code": {"vi": "Mã trong tệp", "en": "Code in the file"},
    "rep_outcome": {"vi": "Kết quả", "en": "Outcome"},
    "rep_commune_code": {"vi": "Mã xã (danh mục)", "en": "Commune code (register)"},
    "rep_commune_name": {"vi": "Xã/phường (danh mục)", "en": "Commune (register)"},
    "rep_province_code": {"vi": "Mã tỉnh", "en": "Province code"},
    "rep_match_method": {"vi": "Cách ghép", "en": "Matched by"},
    "rep_match_score": {"vi": "Độ tin cậy", "en": "Score"},
    "rep_distance_m": {"vi": "Cách tâm chính thức (m)", "en": "From the official centre (m)"},
    "rep_candidates": {"vi": "Các ứng viên", "en": "Candidates"},
    "rep_reason": {"vi": "Giải thích", "en": "Reason"},
    "rep_geometry_note": {"vi": "Hình học", "en": "Geometry"},
    "outcome_matched": {"vi": "Đã ghép", "en": "Matched"},
    "outcome_duplicate-dissolved": {
        "vi": "Gộp vào xã trùng tên",
        "en": "Merged into its duplicate",
    },
    "outcome_ambiguous": {"vi": "Chưa rõ (nhiều khả năng)", "en": "Ambiguous"},
    "outcome_unmatched": {"vi": "Không ghép được", "en": "Not matched"},
    "outcome_dropped-empty": {"vi": "Bỏ (hình rỗng)", "en": "Dropped (empty geometry)"},
    "outcome_duplicate": {"vi": "Trùng (không tính)", "en": "Duplicate (not counted)"},
    "outcome_removed": {"vi": "Bỏ (dòng tổng/tiêu đề)", "en": "Removed (totals or heading)"},
    "outcome_invalid": {"vi": "Không hợp lệ", "en": "Invalid"},
    # Tables uploaded on the Data page.
    "file_date": {"vi": "ngày của tệp", "en": "file date"},
    "use_control": {"vi": "chọn ở ô «{control}»", "en": "choose it in «{control}»"},
    "kind_missing": {
        "vi": "Không nạp được {name}: bảng không có cột nào của loại «{kind}» (cần một trong: {needed}). "
        "Cột đã nhận ra: {found}; cột không nhận ra: {unknown}. Nếu một cột trong đó là cột cần, "
        "chọn trường cho nó ở ô «{control}».",
        "en": "Could not load {name}: the table has no column of the kind «{kind}» (it needs one of: {needed}). "
        "Columns recognised: {found}; not recognised: {unknown}. If one of them is such a column, "
        "give it its field in «{control}».",
    },
    "ctl_columns": {"vi": "Các cột của bảng", "en": "Columns of the table"},
    "ctl_vintage": {"vi": "Danh mục xã của bảng", "en": "Register of the table's communes"},
    "ctl_sheet": {"vi": "Trang tính", "en": "Sheet"},
    "ctl_layer": {"vi": "Lớp dữ liệu", "en": "Layer"},
    "ctl_crs": {"vi": "Hệ toạ độ", "en": "Coordinate system"},
    "ctl_province": {"vi": "Tỉnh/thành phố của tệp", "en": "Province of the file"},
    "ctl_code_column": {"vi": "Cột mã xã", "en": "Commune code column"},
    "ctl_name_column": {"vi": "Cột tên xã", "en": "Commune name column"},
    "ctl_encoding": {"vi": "Bảng mã chữ", "en": "Text encoding"},
    "ctl_scheme": {"vi": "Đơn vị hành chính của tệp", "en": "Units of the file"},
    "ctl_auto": {"vi": "Tự nhận biết", "en": "Detect"},
    "boundary_options": {
        "vi": "Tuỳ chọn đọc tệp ranh giới",
        "en": "Options for reading the boundary file",
    },
    "load_boundaries": {
        "vi": "Nạp lại với các tuỳ chọn này",
        "en": "Load again with these options",
    },
    "sheet_hidden": {"vi": "{name} (ẩn)", "en": "{name} (hidden)"},
    "sheet_first": {
        "vi": "Trang tính đầu tiên có bảng (không đọc trang ẩn)",
        "en": "First visible sheet with a table (hidden sheets are not read)",
    },
    "sheet_hidden_read": {
        "vi": "Trang tính «{name}» đang bị ẩn trong tệp; bảng được đọc từ trang này vì bạn đã chọn nó.",
        "en": "Sheet «{name}» is hidden in the workbook; it is read because you chose it.",
    },
    "sheets_not_read": {
        "vi": "Trang tính khác không đọc: {names}. Chọn ở ô «{control}» nếu bảng nằm ở đó.",
        "en": "Other sheets not read: {names}. Choose one in «{control}» if the table is there.",
    },
    "column_unknown": {"vi": "(không nhận ra: bỏ qua)", "en": "(not recognised: left out)"},
    "columns_help": {
        "vi": "Các cột đã nhận ra trong tệp. Đổi trường của một cột hoặc bỏ qua nó; lựa chọn được ghi nhớ cho bảng sau có cùng tiêu đề.",
        "en": "The columns found in the file. Give a column another field or leave it out; the choice is remembered for the next table with the same headers.",
    },
    "vintage_2025": {"vi": "Danh mục 2025 (sau sắp xếp)", "en": "2025 register (after the reform)"},
    "vintage_legacy": {"vi": "Danh mục cũ (trước 2025)", "en": "Former register (before 2025)"},
    "vintage_evidence": {
        "vi": "Nhận biết: {chosen}; {n_2025} dòng khớp danh mục 2025, {n_legacy} dòng khớp danh mục cũ.",
        "en": "Detected: {chosen}; {n_2025} rows match the 2025 register, {n_legacy} the former one.",
    },
    "vintage_tie": {
        "vi": "{n} dòng khớp cả danh mục 2025 lẫn danh mục cũ: chọn danh mục ở ô «{control}».",
        "en": "{n} rows match both the 2025 and the former register: choose the register in «{control}».",
    },
    "table_preview": {
        "vi": "{name}: {n} xã/phường có số liệu ({provinces}), ngày báo cáo {as_of}; {n_report} dòng không tính.",
        "en": "{name}: {n} communes with values ({provinces}), report date {as_of}; {n_report} rows not counted.",
    },
    "add_table": {"vi": "Đưa bảng này lên bản đồ", "en": "Put this table on the map"},
    "table_loaded": {
        "vi": "Đã nạp {name}: cập nhật {n} xã/phường ({provinces}); các xã khác giữ nguyên số liệu.",
        "en": "Loaded {name}: {n} communes updated ({provinces}); every other commune keeps its values.",
    },
    "table_kept": {
        "vi": "{n} xã/phường giữ số liệu của báo cáo mới hơn.",
        "en": "{n} communes kept the values of a later report.",
    },
    "remove_table": {"vi": "Bỏ bảng {name}", "en": "Remove {name}"},
    "table_not_counted": {
        "vi": "Các dòng của {name} không được tính",
        "en": "Rows of {name} not counted",
    },
    "stage_read": {
        "vi": "Đọc và ghép bảng với danh mục xã…",
        "en": "Reading the table and matching communes…",
    },
    "stage_merge": {
        "vi": "Cập nhật số liệu các xã của bảng…",
        "en": "Updating the table's communes…",
    },
    "stage_map": {
        "vi": "Tính lại chỉ tiêu và chuẩn bị bản đồ…",
        "en": "Recomputing targets and the map…",
    },
    "stage_done": {"vi": "Xong ({seconds} giây).", "en": "Done ({seconds} s)."},
    "trep_table": {"vi": "Tệp", "en": "File"},
    "trep_source_row": {"vi": "Dòng trong tệp", "en": "Row in the file"},
    "trep_province_name": {"vi": "Tỉnh (trong tệp)", "en": "Province (in the file)"},
    "trep_commune_name": {"vi": "Xã (trong tệp)", "en": "Commune (in the file)"},
    "trep_village_name": {"vi": "Thôn (trong tệp)", "en": "Village (in the file)"},
    "trep_outcome": {"vi": "Kết quả", "en": "Outcome"},
    "trep_reason": {"vi": "Lý do", "en": "Reason"},
    "reason_duplicate": {
        "vi": "dòng thứ hai của cùng một xã: không tính; gộp các dòng lại",
        "en": "a second row for the same commune: not counted; merge the rows",
    },
    "reason_unmatched": {
        "vi": "không có xã nào tên này trong danh mục",
        "en": "no commune of this name in the register",
    },
    "reason_totals": {"vi": "dòng tổng: bỏ", "en": "totals row: removed"},
    "reason_not_number": {
        "vi": "«{header}» = «{value}» không phải là số: dòng không tính; sửa ô rồi nạp lại",
        "en": "«{header}» = «{value}» is not a number: row not counted; correct the cell and load again",
    },
    # Meeting mode.
    "exit_meeting": {"vi": "Thoát chế độ họp", "en": "Leave meeting mode"},
    "meeting_previous": {"vi": "Tỉnh/thành phố trước", "en": "Previous province"},
    "meeting_next": {"vi": "Tỉnh/thành phố sau", "en": "Next province"},
    "map_credit": {
        "vi": "Bản đồ hạ tầng số theo xã/phường · vẽ bằng Leaflet",
        "en": "Digital infrastructure by commune · drawn with Leaflet",
    },
    "sheet_pdf": {"vi": "Tải PDF (A4 in)", "en": "Download PDF (A4 print)"},
    "sheet_png": {"vi": "Tải PNG (16:9 trình chiếu)", "en": "Download PNG (16:9 slide)"},
}


#: Every string: key → {"vi": …, "en": …}; the registry's and the print sheets' keys
#: (``layers.sheet_texts``) are not repeated above (a test checks).
STRINGS: Final[dict[str, dict[str, str]]] = {
    **_APP_STRINGS,
    **registry.indicator_strings(),
    **SHEET_TEXTS,
}


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string ``key`` in ``lang`` (Vietnamese when ``lang`` is unknown), placeholders filled.

    Raises
    ------
    KeyError
        When ``key`` is not a known string (a typo in the caller).
    """
    entry = STRINGS[key]
    template = entry.get(lang, entry[DEFAULT_LANG])
    return template.format(**values) if values else template


def indicator_texts(lang: str = DEFAULT_LANG, *, column: str | None = None) -> dict[str, str]:
    """The class labels ``layers.choropleth.view_indicator`` needs, in ``lang`` (from the registry)."""
    return registry.class_texts(lang, column=column)
