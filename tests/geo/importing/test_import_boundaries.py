"""The whole import on hard variants of real seed files, and the command line around it."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from cli.commands import main
from geo import schema as s
from geo.errors import CRSError
from geo.importing.import_boundaries import (
    DROPPED_EMPTY,
    ImportOptions,
    ImportResult,
    import_boundaries,
    report_csv_path,
    write_import,
)
from geo.importing.matching import DISSOLVED, MATCHED, METHOD, OUTCOME
from geo.reference.crs import PROVINCE_MERIDIAN, TM3_EPSG, tm3_crs
from tests.geo.reading.test_crs_inference import swapped, wgs84_to
from tests.geo.reading.test_encoding import encode_legacy, old_style_nfd

pytestmark = pytest.mark.shared
SEED_2025 = "boundaries/seed/vn_2025_seed_fullres.gpkg"
SEED_LEGACY = "boundaries/seed/vn_legacy_seed_fullres.gpkg"
SAMPLE_2025 = "boundaries/samples/ca_mau_2025_communes_simplified.geojson"
SAMPLE_LEGACY = "boundaries/samples/bac_lieu_legacy_communes_simplified.geojson"
MAX_ROUND_TRIP_M = 5.0


@pytest.fixture(scope="module")
def seed_2025(shared_data: Path) -> gpd.GeoDataFrame:
    """The seed 2025 communes of Cà Mau (96) and Vĩnh Long (86), full resolution."""
    return gpd.read_file(
        shared_data / SEED_2025, layer=s.LAYER_COMMUNES_2025, where="province_code IN ('96', '86')"
    )


@pytest.fixture(scope="module")
def seed_legacy(shared_data: Path) -> gpd.GeoDataFrame:
    """The seed legacy communes of Bạc Liêu (95) and Tuyên Quang (08), full resolution."""
    return gpd.read_file(
        shared_data / SEED_LEGACY,
        layer=s.LAYER_COMMUNES_LEGACY,
        where="province_code IN ('95', '08')",
    )


def zipped_shapefile(frame: gpd.GeoDataFrame, folder: Path, *, encoding: str) -> Path:
    """A zipped shapefile without .prj or .cpg, text in TCVN3/VNI bytes, DBF marked "ANSI" (0x57)."""
    folder.mkdir()
    text = [
        c
        for c in frame.columns
        if c != frame.geometry.name and pd.api.types.is_string_dtype(frame[c])
    ]
    legacy = frame.assign(
        **{c: frame[c].map(lambda v: encode_legacy(v, encoding), na_action="ignore") for c in text}
    )
    pyogrio.write_dataframe(
        legacy.set_crs("EPSG:3405"), folder / "xa.shp", encoding="latin1"
    )  # any CRS: the .prj goes
    for suffix in (".prj", ".cpg"):
        (folder / f"xa{suffix}").unlink(missing_ok=True)
    dbf = folder / "xa.dbf"
    dbf.write_bytes(dbf.read_bytes()[:29] + b"\x57" + dbf.read_bytes()[30:])
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
    return target


def _short_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Name and district columns under DBF-sized (≤ 10 character) names."""
    return frame[["src_commune_name", "district_name", "geometry"]].rename(
        columns={"src_commune_name": "ten_xa", "district_name": "huyen"}
    )


def hausdorff_m(result: ImportResult, original: gpd.GeoDataFrame) -> np.ndarray:
    """Per matched commune, a bound on the Hausdorff distance (m, VN-2000 UTM 48N) to the original polygon.

    When the vertices correspond one to one after ``shapely.normalize`` (the import moved
    them, a shapefile writer may have reversed rings, but none was lost),
    the largest vertex displacement bounds the Hausdorff distance and is far cheaper
    than GEOS's quadratic one on full-resolution polygons; otherwise GEOS computes it.
    """
    imported = result.communes.set_index(s.COMMUNE_CODE).geometry.to_crs("EPSG:3405")
    source = (
        original.dropna(subset=[s.COMMUNE_CODE])
        .set_index(s.COMMUNE_CODE)
        .geometry.to_crs("EPSG:3405")
    )
    report = result.report
    grown = report.loc[  # communes a vanished feature was dissolved into: their shape changed on purpose
        (report[OUTCOME] == DISSOLVED) & (report[METHOD] == "position"),
        s.COMMUNE_CODE,
    ]
    common = imported.index.intersection(source.index).difference(grown)
    distances = []
    for a, b in zip(imported.loc[common].array, source.loc[common].array):
        xa, xb = (
            shapely.get_coordinates(shapely.normalize(a)),
            shapely.get_coordinates(shapely.normalize(b)),
        )
        same_shape = xa.shape == xb.shape
        distances.append(
            np.hypot(*(xa - xb).T).max() if same_shape else shapely.hausdorff_distance(a, b)
        )
    return np.array(distances)


def coded_match_rate(result: ImportResult, original: gpd.GeoDataFrame) -> float:
    """Share of the features that carry a GSO code in the source that got that same code."""
    codes = original[s.COMMUNE_CODE].reset_index(drop=True)
    has_code = codes.notna()
    same = result.report[s.COMMUNE_CODE].reset_index(drop=True) == codes
    return float((same & has_code).sum() / has_code.sum())


def test_a_2025_geopackage_round_trips_exactly(seed_2025: gpd.GeoDataFrame, tmp_path: Path) -> None:
    ca_mau = seed_2025[seed_2025[s.PROVINCE_CODE] == "96"]
    path = tmp_path / "ca_mau.gpkg"
    ca_mau.to_file(path, layer="xa")
    result = import_boundaries(path)
    assert result.scheme == s.VINTAGE_2025 and result.crs.source == "file"
    assert result.n_matched == len(ca_mau) == 64
    assert result.communes[s.COMMUNE_CODE].is_unique
    assert hausdorff_m(result, ca_mau).max() < 0.01
    assert set(result.communes.geom_type) == {"MultiPolygon"}


def test_a_tcvn3_shapefile_in_a_tm3_zone_without_prj(
    seed_legacy: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    bac_lieu = seed_legacy[seed_legacy[s.PROVINCE_CODE] == "95"]
    path = zipped_shapefile(
        wgs84_to(_short_columns(bac_lieu), tm3_crs(PROVINCE_MERIDIAN["95"])),
        tmp_path / "bac_lieu",
        encoding="tcvn3",
    )
    # TM-3 105° and VN-2000 UTM 48N place Bạc Liêu 311 m apart and its 61 large communes'
    # centroids cannot tell them apart: refused, naming both, rather than guessed
    with pytest.raises(CRSError, match="--crs EPSG:5897 or --crs EPSG:3405"):
        import_boundaries(path)
    result = import_boundaries(path, options=ImportOptions(crs="EPSG:5897"))
    assert result.encoding == "tcvn3"
    assert result.crs.source == "argument" and result.crs.crs.to_epsg() == TM3_EPSG[105.0]
    assert result.scheme == s.VINTAGE_LEGACY
    assert coded_match_rate(result, bac_lieu) >= 0.99
    assert hausdorff_m(result, bac_lieu).max() < MAX_ROUND_TRIP_M
    assert result.communes[s.COMMUNE_CODE].is_unique


def test_a_vni_shapefile_with_x_and_y_swapped(
    seed_legacy: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    tuyen_quang = seed_legacy[seed_legacy[s.PROVINCE_CODE] == "08"]
    raw = swapped(wgs84_to(_short_columns(tuyen_quang), tm3_crs(106.0)))
    result = import_boundaries(zipped_shapefile(raw, tmp_path / "tuyen_quang", encoding="vni"))
    assert result.encoding == "vni"
    assert result.crs.swapped and result.crs.crs.to_epsg() == TM3_EPSG[106.0]
    assert coded_match_rate(result, tuyen_quang) >= 0.99
    assert hausdorff_m(result, tuyen_quang).max() < MAX_ROUND_TRIP_M


def test_nfd_old_style_names_without_codes_match_by_name(
    seed_2025: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    vinh_long = seed_2025[seed_2025[s.PROVINCE_CODE] == "86"]
    names = vinh_long["commune_full_name"].map(old_style_nfd)
    assert not names.map(lambda n: unicodedata.is_normalized("NFC", n)).all()
    path = tmp_path / "vinh_long.geojson"
    gpd.GeoDataFrame(
        {"Tên": names.to_numpy()}, geometry=vinh_long.geometry.to_numpy(), crs=s.WGS84
    ).to_file(path)
    result = import_boundaries(path, options=ImportOptions(province="Vĩnh Long"))
    assert result.columns.name == "Tên" and result.columns.code is None
    assert result.report[s.COMMUNE_CODE].tolist() == vinh_long[s.COMMUNE_CODE].tolist()
    assert result.communes["source_name"].map(lambda n: unicodedata.is_normalized("NFC", n)).all()


def test_a_kmz_of_legacy_communes(shared_data: Path, tmp_path: Path) -> None:
    sample = gpd.read_file(shared_data / SAMPLE_LEGACY)
    kml = tmp_path / "doc.kml"
    pyogrio.write_dataframe(
        sample[["commune_name", "district_name", "geometry"]].rename(
            columns={"commune_name": "Name"}
        ),
        kml,
        driver="KML",
    )
    kmz = tmp_path / "bac_lieu.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.write(kml, "doc.kml")
    result = import_boundaries(kmz)
    assert result.scheme == s.VINTAGE_LEGACY
    assert coded_match_rate(result, sample) >= 0.99


def test_a_legacy_file_can_be_forced_to_2025_and_mostly_fails(shared_data: Path) -> None:
    result = import_boundaries(shared_data / SAMPLE_LEGACY, options=ImportOptions(scheme="2025"))
    assert result.scheme == s.VINTAGE_2025 and result.n_matched < 40


def test_broken_geometry_is_repaired_dropped_or_dissolved(
    shared_data: Path, tmp_path: Path
) -> None:
    sample = gpd.read_file(shared_data / SAMPLE_2025)[["commune_full_name", "geometry"]]
    first = sample.geometry.iloc[0]
    west, south, east, north = first.bounds
    halves = [
        first.intersection(shapely.box(west, south, (west + east) / 2, north)),
        first.intersection(shapely.box((west + east) / 2, south, east, north)),
    ]
    extra = gpd.GeoDataFrame(
        {"commune_full_name": [sample.iat[0, 0]] * 2}, geometry=halves, crs=s.WGS84
    )
    broken = pd.concat([sample.iloc[1:], extra], ignore_index=True)
    x0, y0, x1, y1 = broken.geometry.iloc[0].bounds
    broken.loc[0, "geometry"] = shapely.Polygon(
        [(x0, y0), (x1, y1), (x1, y0), (x0, y1)]
    )  # a bow tie around commune 1
    broken.loc[1, "geometry"] = shapely.Polygon()
    path = tmp_path / "broken.gpkg"
    broken.to_file(path)
    result = import_boundaries(path)
    outcomes = result.report["outcome"]
    assert outcomes.iloc[1] == DROPPED_EMPTY
    assert sorted(outcomes.iloc[-2:]) == [DISSOLVED, MATCHED]
    assert result.report["geometry_note"].iloc[0].startswith("repaired")
    assert result.qa.n_repaired == 1 and result.qa.n_dropped_empty == 1
    dissolved = result.communes.set_index(s.COMMUNE_CODE).geometry.loc[sample_code(shared_data)]
    assert abs(dissolved.area - first.area) < 1e-9
    assert result.communes.is_valid.all()


def sample_code(shared_data: Path) -> str:
    return str(gpd.read_file(shared_data / SAMPLE_2025)[s.COMMUNE_CODE].iloc[0])


def test_the_writer_round_trips(shared_data: Path, tmp_path: Path) -> None:
    result = import_boundaries(shared_data / SAMPLE_2025)
    gpkg, csv = write_import(result, tmp_path / "out.gpkg")
    assert [str(name) for name, _ in pyogrio.list_layers(gpkg)] == ["communes", "report"]
    communes = gpd.read_file(gpkg, layer="communes")
    assert communes.crs.to_epsg() == 4326 and len(communes) == 64
    assert communes[s.COMMUNE_CODE].iloc[0] == result.communes[s.COMMUNE_CODE].iloc[0]
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    report = pd.read_csv(csv, dtype=str, encoding="utf-8-sig")
    assert len(report) == 64 and report[s.COMMUNE_CODE].str.len().eq(5).all()


def test_the_command_line_prints_the_match_share_last(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bac_lieu.gpkg"
    assert (
        main(
            [
                "import-boundaries",
                str(shared_data / SAMPLE_LEGACY),
                "--out",
                str(out),
                "--scheme",
                "legacy",
            ]
        )
        == 0
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"matched \d+ of 64 features \(\d+\.\d%\)", last)
    assert out.is_file() and report_csv_path(out).is_file()


def _points_gpkg(path: Path) -> Path:
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(105, 9)], crs=s.WGS84).to_file(path)
    return path


def _empty_gpkg(path: Path) -> Path:
    gpd.GeoDataFrame({"a": []}, geometry=gpd.GeoSeries([], crs=s.WGS84)).to_file(path)
    return path


def _truncated_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xa.shp", b"\0" * 5000)
    path.write_bytes(path.read_bytes()[:100])
    return path


def _far_from_vietnam(path: Path) -> Path:
    squares = [shapely.box(2 + i, 45, 2.5 + i, 45.5) for i in range(5)]  # France, no .prj
    frame = gpd.GeoDataFrame({"ten": [f"Xã {i}" for i in range(5)]}, geometry=squares)
    path.write_text(frame.to_json(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda p: (p.write_text("not a map"), p)[1], "notes.gpkg", "is plain text"),
        (_points_gpkg, "points.gpkg", "no polygons"),
        (_empty_gpkg, "empty.gpkg", "has no features"),
        (_truncated_zip, "cut.zip", "truncated"),
        (_far_from_vietnam, "far.geojson", "--crs EPSG:NNNN"),
    ],
)
def test_unusable_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, name: str, message: str
) -> None:
    path = make(tmp_path / name)
    out = tmp_path / "out" / "result.gpkg"
    assert main(["import-boundaries", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert not out.exists() and not report_csv_path(out).exists()
