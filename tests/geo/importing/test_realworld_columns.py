"""Real published boundary files: the right columns, the right level, the right communes.

Through the ``shared_data`` fixture only (skips when absent); nothing from these
files is copied into the repository. Each file either imports with most features
matched under names that agree with the file's own, or is refused as districts.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.importing.import_boundaries import import_boundaries
from geo.importing.matching import DISSOLVED, MATCHED, METHOD, OUTCOME, REASON
from geo.reading.read import read_source

pytestmark = pytest.mark.shared

COMMUNE_FILES = [
    "gadm41_level3_by_2025_province/ca-mau.json",
    "gadm41_level3_by_2025_province/vinh-long.json",
    "gadm41_level3_by_2025_province/tuyen-quang.json",
    "communes_2025_by_province/96.geojson",
    "communes_2025_by_province/86.geojson",
    "hcmc_cityscope_2019/Population_Ward_Level.shp",
]
DISTRICT_FILES = [
    "gadm41_level2_districts.json",
    "hcmc_cityscope_2019/Population_District_Level.shp",
]
OWN_NAME = ("NAME_3", "name", "Com_Name")


def fold(name: object) -> str:
    """A spelling-blind form of a name, independent of the code under test."""
    if not isinstance(name, str):
        return ""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = re.sub(r"\((thi ?tran|xa|phuong)\)", "", text.lower())
    words = re.sub(r"[^a-z0-9 ]", " ", text).split()
    for prefix in (["thi", "tran"], ["dac", "khu"], ["xa"], ["phuong"], ["ward"]):
        if len(words) > len(prefix) and words[: len(prefix)] == prefix:
            words = words[len(prefix) :]
            break
    joined = re.sub(r"^(phuong|ward)(\d+)$", r"\2", "".join(words))
    return str(int(joined)) if joined.isdigit() else joined


@pytest.mark.parametrize("relative", COMMUNE_FILES)
def test_a_real_commune_file_imports_under_its_own_names(shared_data: Path, relative: str) -> None:
    path = shared_data / "realworld" / relative
    result = import_boundaries(path)
    own_column = next(c for c in OWN_NAME if c in read_source(path).frame.columns)
    assert result.columns.name == own_column
    report = result.report
    kept = report[OUTCOME].isin([MATCHED, DISSOLVED])
    own = read_source(path).frame[own_column].reset_index(drop=True)
    matched = report[report[OUTCOME] == MATCHED]
    renamed = matched[METHOD] == "position"  # a superseded name placed by position: said so
    assert matched.loc[renamed, REASON].str.contains("not in the legacy register").all()
    matched = matched[~renamed]
    agree = [fold(a) == fold(b) for a, b in zip(own[matched.index], matched["commune_name"])]
    assert kept.mean() >= 0.9
    assert sum(agree) / len(agree) >= 0.98


@pytest.mark.parametrize("relative", DISTRICT_FILES)
def test_a_real_district_file_is_refused_as_districts(shared_data: Path, relative: str) -> None:
    with pytest.raises(InputError, match="holds districts, not communes"):
        import_boundaries(shared_data / "realworld" / relative)


def test_a_kml_copy_of_a_gadm_file_reads_name_3_not_tessellate(
    shared_data: Path, tmp_path: Path
) -> None:
    source = read_source(shared_data / "realworld/gadm41_level3_by_2025_province/ca-mau.json")
    kml = tmp_path / "ca_mau.kml"
    source.frame.to_file(kml, driver="KML")
    result = import_boundaries(kml)
    assert result.columns.name == "NAME_3"
    assert result.report[OUTCOME].isin([MATCHED, DISSOLVED]).mean() >= 0.9
