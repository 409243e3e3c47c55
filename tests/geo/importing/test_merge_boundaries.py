"""Imported communes put into a copy of the embedded boundaries (geo.importing.merge_boundaries)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema as s
from geo.errors import InputError
from geo.importing.merge_boundaries import ALL_LAYERS, merge_imported
from geo.reading.boundaries import read_boundary_layer
from tests.app.fixture_data import write_data_dir


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return (
        write_data_dir(tmp_path_factory.mktemp("data"), coverage=False)
        / "boundaries"
        / s.BOUNDARIES_FILE
    )


def _imported(
    codes: list[str], boxes: list[tuple[float, float, float, float]], *, province: str = "08"
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            s.COMMUNE_CODE: codes,
            s.COMMUNE_NAME: [f"Xã {c}" for c in codes],
            s.PROVINCE_CODE: province,
            s.PROVINCE_NAME: "Tỉnh Tuyên Quang",
        },
        geometry=[shapely.MultiPolygon([shapely.box(*b)]) for b in boxes],
        crs=s.WGS84,
    )


def test_imported_polygons_replace_the_approximate_ones(embedded: Path, tmp_path: Path) -> None:
    # Lâm Bình grows east over half of Thượng Lâm's approximate square.
    summary = merge_imported(
        embedded, _imported(["02266"], [(107, 21, 108.5, 22)]), s.VINTAGE_2025, tmp_path / "b.gpkg"
    )
    communes = read_boundary_layer(summary.path, s.LAYER_COMMUNES_2025).set_index(s.COMMUNE_CODE)
    assert summary.real_codes == ("02266",)
    assert communes.loc["02266", "geometry"].equals(
        shapely.MultiPolygon([shapely.box(107, 21, 108.5, 22)])
    )
    assert not communes.loc["02266", s.APPROXIMATE]
    assert communes.loc[["00004", "00008", "02269"], s.APPROXIMATE].all()


def test_neighbours_lose_the_imported_area(embedded: Path, tmp_path: Path) -> None:
    summary = merge_imported(
        embedded, _imported(["02266"], [(107, 21, 108.5, 22)]), s.VINTAGE_2025, tmp_path / "b.gpkg"
    )
    communes = read_boundary_layer(summary.path, s.LAYER_COMMUNES_2025).set_index(s.COMMUNE_CODE)
    assert summary.clipped_codes == ("02269",)
    assert communes.loc["02269", "geometry"].equals(
        shapely.MultiPolygon([shapely.box(108.5, 21, 109, 22)])
    )
    assert communes.loc["00008", "geometry"].equals(
        shapely.MultiPolygon([shapely.box(106, 21, 107, 22)])
    )


def test_the_province_is_drawn_again_and_stays_approximate_while_a_commune_is(
    embedded: Path, tmp_path: Path
) -> None:
    summary = merge_imported(
        embedded, _imported(["02266"], [(107, 21, 108.5, 22)]), s.VINTAGE_2025, tmp_path / "b.gpkg"
    )
    provinces = read_boundary_layer(summary.path, s.LAYER_PROVINCES_2025).set_index(s.PROVINCE_CODE)
    assert provinces.loc["08", "geometry"].area == pytest.approx(2.0)
    assert provinces.loc["08", s.APPROXIMATE]
    whole = merge_imported(
        embedded,
        _imported(["02266", "02269"], [(107, 21, 108.2, 22), (108.2, 21, 109, 22)]),
        s.VINTAGE_2025,
        tmp_path / "c.gpkg",
    )
    provinces = read_boundary_layer(whole.path, s.LAYER_PROVINCES_2025).set_index(s.PROVINCE_CODE)
    assert not provinces.loc["08", s.APPROXIMATE] and provinces.loc["01", s.APPROXIMATE]


def test_a_legacy_import_changes_only_the_legacy_layers(embedded: Path, tmp_path: Path) -> None:
    imported = _imported(["02233"], [(107, 21, 108.5, 22)]).assign(
        **{s.DISTRICT_CODE: "071", s.DISTRICT_NAME: "Huyện Lâm Bình"}
    )
    summary = merge_imported(embedded, imported, s.VINTAGE_LEGACY, tmp_path / "b.gpkg")
    legacy = read_boundary_layer(summary.path, s.LAYER_COMMUNES_LEGACY).set_index(s.COMMUNE_CODE)
    assert not legacy.loc["02233", s.APPROXIMATE] and summary.clipped_codes == ("02251",)
    district = (
        read_boundary_layer(summary.path, s.LAYER_DISTRICTS_LEGACY)
        .set_index(s.DISTRICT_CODE)
        .loc["071"]
    )
    assert district["geometry"].area == pytest.approx(2.0) and district[s.APPROXIMATE]
    new = read_boundary_layer(summary.path, s.LAYER_COMMUNES_2025)
    assert new[s.APPROXIMATE].all()
    assert new.geometry.equals(read_boundary_layer(embedded, s.LAYER_COMMUNES_2025).geometry)


def test_a_commune_the_layer_lacks_is_added(embedded: Path, tmp_path: Path) -> None:
    summary = merge_imported(
        embedded, _imported(["02260"], [(109, 21, 109.5, 22)]), s.VINTAGE_2025, tmp_path / "b.gpkg"
    )
    communes = read_boundary_layer(summary.path, s.LAYER_COMMUNES_2025)
    assert summary.added_codes == ("02260",)
    assert list(communes[s.COMMUNE_CODE]) == ["00004", "00008", "02260", "02266", "02269"]


def test_the_file_has_every_layer(embedded: Path, tmp_path: Path) -> None:
    import pyogrio

    summary = merge_imported(
        embedded, _imported(["02266"], [(107, 21, 108, 22)]), s.VINTAGE_2025, tmp_path / "b.gpkg"
    )
    assert [str(n) for n in pyogrio.list_layers(summary.path)[:, 0]] == list(ALL_LAYERS)


def test_an_empty_import_is_refused(embedded: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no matched commune"):
        merge_imported(embedded, _imported([], []), s.VINTAGE_2025, tmp_path / "b.gpkg")
    assert not (tmp_path / "b.gpkg").exists()


def test_an_unknown_scheme_is_refused(embedded: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="scheme '2030' is not known"):
        merge_imported(
            embedded, _imported(["02266"], [(107, 21, 108, 22)]), "2030", tmp_path / "b.gpkg"
        )  # type: ignore[arg-type]


def test_an_uploaded_file_becomes_a_boundaries_file_with_its_report(
    embedded: Path, tmp_path: Path
) -> None:
    from geo.importing.merge_boundaries import import_into
    from tests.app.fixture_data import UPLOAD_CODES, province_boundaries_geojson

    source = tmp_path / "ranh_gioi.geojson"
    source.write_bytes(province_boundaries_geojson())
    first, second = (import_into(source, embedded, tmp_path) for _ in range(2))
    assert first.merge.path != second.merge.path and first.merge.path.is_file()
    assert first.merge.real_codes == tuple(UPLOAD_CODES) and first.merge.added_codes == ("00025",)
    report = pd.read_csv(first.report, dtype=str)
    assert list(report["outcome"]) == ["matched"] * 3
