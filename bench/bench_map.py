"""Benchmark: what the map page sends to the browser, and how long the server takes to draw it.

Run: ``python -m bench.bench_map``. Measures, for the embedded default
boundaries and for the real national 2025 communes of ``../shared/data``
(their geometry, with the default data's indicators joined on the commune
code), the map exactly as the app builds it (``layers.choropleth`` with the
app's simplification tolerances) against a naive ``folium.Choropleth`` of the
same polygons. The payload is the HTML and script folium renders, which
``st_folium`` sends to the browser (also gzipped: the app compresses its
websocket). Server time is the work of one rerun after a switch on a warm
app: classify the indicator, build the map, render it. Writes its section
of BENCHMARKS.md.
"""

from __future__ import annotations

import gzip
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from bench._report import write_section
from geo import schema as s

ROOT = Path(__file__).resolve().parent.parent
REAL_2025 = ROOT.parent / "shared" / "data" / "boundaries" / "vn_2025_admin.gpkg"
INDICATORS = (s.PCT_POP_4G, s.PCT_HOUSEHOLDS_FIBRE, s.PCT_VILLAGES_TEAM, s.UNCOVERED)
PROVINCES = {"96": "Cà Mau", "01": "Hà Nội", "08": "Tuyên Quang"}
REPEAT = 3


def _seconds(run: Callable[[], object]) -> tuple[float, object]:
    """Median wall time of ``REPEAT`` runs, and the last result."""
    times, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _default_layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The app's 2025 communes and provinces with indicators, computed from the embedded default data."""
    from application.app_data import discover_inputs, load_app_data
    from geo.reading.boundaries import boundaries_file

    data_dir = ROOT / "data"
    data = load_app_data(
        discover_inputs(data_dir, boundaries_file(data_dir / "boundaries" / s.BOUNDARIES_FILE))
    )
    return data.layer(s.VINTAGE_2025, "commune"), data.layer(s.VINTAGE_2025, "province")


def _real_layers(default_communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Real 2025 commune polygons (test-only data) carrying the default data's indicators."""
    real = gpd.read_file(REAL_2025, layer="communes_2025", columns=[s.COMMUNE_CODE])
    values = pd.DataFrame(default_communes.drop(columns=default_communes.geometry.name))
    communes = real.merge(values, on=s.COMMUNE_CODE, how="left")
    provinces = communes.dissolve(s.PROVINCE_CODE, aggfunc={s.PROVINCE_NAME: "first"}).reset_index()
    return communes, provinces


def _app_map(units, outlines, column: str, province: str) -> str:
    """One rerun of the map page: classify, build, render (what st_folium is handed)."""
    from geo.indicators import registry
    from geo.indicators import targets as t
    from layers.choropleth import MapStyle, build_indicator_map, view_indicator
    from layers.offline import local_assets

    indicator = registry.indicator(column)
    target = t.read_config().threshold_pct(indicator.target)
    view = view_indicator(
        units.table,
        indicator,
        title=indicator.label("vi"),
        texts=registry.class_texts("vi", column=column),
        target_pct=target,
    )
    m = build_indicator_map(
        units,
        outlines,
        view.classification,
        view.values,
        view.texts,
        assets=local_assets(),
        province_code=province,
        style=MapStyle(),
    )
    return m.get_root().render()


def _naive_map(communes: gpd.GeoDataFrame, column: str) -> str:
    """The usual first attempt: folium.Choropleth of the full polygons with a tooltip, CDN assets and tiles."""
    frame = communes[
        [s.COMMUNE_CODE, s.COMMUNE_NAME, s.PROVINCE_NAME, column, communes.geometry.name]
    ]
    m = folium.Map(location=(16.0, 106.0), zoom_start=5)
    choropleth = folium.Choropleth(
        geo_data=frame.to_json(),
        data=frame,
        columns=[s.COMMUNE_CODE, column],
        key_on=f"feature.properties.{s.COMMUNE_CODE}",
        fill_color="YlGnBu",
        nan_fill_color="#9e9e9e",
    )
    choropleth.add_to(m)
    folium.GeoJsonTooltip(fields=[s.COMMUNE_NAME, s.PROVINCE_NAME, column]).add_to(
        choropleth.geojson
    )
    return m.get_root().render()


def _sizes(page: str) -> tuple[float, float]:
    raw = page.encode("utf-8")
    return len(raw) / 1e6, len(gzip.compress(raw, compresslevel=6)) / 1e6


def measure(name: str, communes: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> list[str]:
    """Table rows for one set of boundaries."""
    from layers.choropleth import prepare_units
    from layers.simplify import TOLERANCES

    start = time.perf_counter()
    units = prepare_units(communes, "commune", tolerances=TOLERANCES["2025/commune"])
    outlines = prepare_units(provinces, "province", tolerances=TOLERANCES["2025/province"])
    prepare = time.perf_counter() - start
    numeric = communes[s.PCT_POP_4G].astype(float)  # the naive map cannot colour a yes/no column
    naive_seconds, naive_page = _seconds(
        lambda: _naive_map(communes.assign(**{s.PCT_POP_4G: numeric}), s.PCT_POP_4G)
    )
    rows = [
        f"| {name} | naive `folium.Choropleth`, whole country | {_fmt_sizes(naive_page)} | {naive_seconds:.2f} s |"
    ]
    for column in INDICATORS:
        seconds, page = _seconds(lambda column=column: _app_map(units, outlines, column, ""))
        rows.append(
            f"| {name} | app, whole country, `{column}` | {_fmt_sizes(page)} | {seconds:.2f} s |"
        )
    for code, province in PROVINCES.items():
        seconds, page = _seconds(lambda code=code: _app_map(units, outlines, s.PCT_POP_4G, code))
        rows.append(
            f"| {name} | app, {province} ({code}), `pct_pop_4g` | {_fmt_sizes(page)} | {seconds:.2f} s |"
        )
    rows.append(
        f"| {name} | app, preparing both layers once (cached per data set) | — | {prepare:.2f} s |"
    )
    return rows


def _fmt_sizes(page: str) -> str:
    raw, packed = _sizes(page)
    return f"{raw:.2f} MB | {packed:.2f} MB"


def main() -> int:
    communes, provinces = _default_layers()
    rows = measure("embedded default", communes, provinces)
    if REAL_2025.is_file():
        rows += measure("real 2025 (test data)", *_real_layers(communes))
    else:
        print(f"{REAL_2025} not found: measured the embedded default only", file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        "## Map page: payload and server time (`bench/bench_map.py`)",
        "",
        "National 2025 communes (3,321). Payload: the HTML and script folium renders, which `st_folium` sends",
        "(gzip: the app compresses its websocket). Server time: median of 3 reruns on a warm app",
        "(classify, build the map, render).",
        "",
        "| boundaries | map | payload | gzipped | server time |",
        "|---|---|---:|---:|---:|",
        *rows,
        "",
        f"Peak memory of the benchmark process: {peak_mb:.0f} MB (ru_maxrss).",
    ]
    write_section("map", "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
