"""Benchmark the embedded approximate boundaries against real 2025 commune polygons.

Measures, on the test-only real polygons in ``../shared/data`` (never shipped):
intersection-over-union (IoU) of each approximate 2025 commune with the real
one (joined on commune_code), the same for a baseline (plain Voronoi cells of
the official centroids clipped to the real coastline, i.e. the union of the
real communes), the share of communes whose drawn area is within ±30% of the
official area, and the build's time and peak memory.

Usage (from the project root)::

    python bench/bench_boundaries.py            # rebuild, then measure
    python bench/bench_boundaries.py --no-build # measure the shipped file only
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from bench._report import write_section  # noqa: E402
from builders import approx_boundaries  # noqa: E402
from geo import schema as s  # noqa: E402
from geo.reference import register  # noqa: E402

SHARED_BOUNDARIES = PROJECT_ROOT.parent / "shared" / "data" / "boundaries" / "vn_2025_admin.gpkg"
SHIPPED = PROJECT_ROOT / "data" / "boundaries" / s.BOUNDARIES_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-build", action="store_true", help="measure the shipped file without rebuilding it"
    )
    args = parser.parse_args(argv)
    if not SHARED_BOUNDARIES.is_file():
        print(
            f"bench_boundaries: the real polygons are not available ({SHARED_BOUNDARIES} is absent); nothing measured"
        )
        return 2
    ours, build = _ours(rebuild=not args.no_build)
    truth = _read_truth()
    iou_ours = _iou(ours, truth)
    iou_voronoi = _iou(_voronoi_baseline(truth), truth)
    markdown = _markdown(ours, iou_ours, iou_voronoi, build)
    write_section("boundaries", markdown)
    print(markdown)
    return 0


def _ours(*, rebuild: bool) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Our 2025 communes (equal-area projection) and the build's time and peak memory."""
    if not rebuild:
        return gpd.read_file(SHIPPED, layer=s.LAYER_COMMUNES_2025).to_crs(s.VN_EQUAL_AREA), {}
    started = time.perf_counter()
    result = approx_boundaries.build_approx_boundaries()
    seconds = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB on Linux
    ours = result.layers[s.LAYER_COMMUNES_2025].to_crs(s.VN_EQUAL_AREA)
    return ours, {"seconds": seconds, "peak_gb": peak_gb, **result.quality}


def _read_truth() -> gpd.GeoDataFrame:
    truth = gpd.read_file(SHARED_BOUNDARIES, layer=s.LAYER_COMMUNES_2025, columns=[s.COMMUNE_CODE])
    truth[s.COMMUNE_CODE] = truth[s.COMMUNE_CODE].astype(str).str.zfill(s.COMMUNE_CODE_WIDTH)
    truth = truth.to_crs(s.VN_EQUAL_AREA)
    truth["geometry"] = shapely.make_valid(truth.geometry.to_numpy())
    return truth


def _iou(candidate: gpd.GeoDataFrame, truth: gpd.GeoDataFrame) -> pd.Series:
    """IoU per commune_code present in both (0 where the candidate misses the commune)."""
    joined = truth.merge(
        pd.DataFrame(
            {s.COMMUNE_CODE: candidate[s.COMMUNE_CODE], "candidate": candidate.geometry.to_numpy()}
        ),
        on=s.COMMUNE_CODE,
        how="left",
    )
    real = joined.geometry.to_numpy()
    drawn = joined["candidate"].to_numpy()
    present = ~pd.isna(drawn)
    inter = np.zeros(len(joined))
    inter[present] = shapely.area(
        shapely.intersection(real[present], drawn[present], grid_size=1.0)
    )
    union = (
        shapely.area(real)
        + np.where(present, shapely.area(np.where(present, drawn, None)), 0)
        - inter
    )
    return pd.Series(np.where(union > 0, inter / union, 0.0), index=joined[s.COMMUNE_CODE])


def _voronoi_baseline(truth: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Voronoi cells of the official centroids, clipped to the real coastline (union of real communes)."""
    communes = register.read_communes_2025()
    points = gpd.GeoSeries(
        gpd.points_from_xy(communes[s.LON], communes[s.LAT]), crs=s.WGS84
    ).to_crs(s.VN_EQUAL_AREA)
    land = shapely.union_all(shapely.buffer(truth.geometry.to_numpy(), 0.5))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.MultiPoint(points.to_numpy()), extend_to=land.envelope)
    )
    tree = shapely.STRtree(cells)
    owner = tree.query(points.to_numpy(), predicate="within")
    cell_of = pd.Series(owner[1], index=owner[0]).groupby(level=0).first()
    shapely.prepare(land)
    geometry = shapely.intersection(cells[cell_of.reindex(range(len(points))).to_numpy()], land)
    return gpd.GeoDataFrame(
        {s.COMMUNE_CODE: communes[s.COMMUNE_CODE]}, geometry=geometry, crs=s.VN_EQUAL_AREA
    )


def _markdown(
    ours: gpd.GeoDataFrame, iou_ours: pd.Series, iou_voronoi: pd.Series, build: dict[str, float]
) -> str:
    official = ours[s.AREA_KM2_OFFICIAL]
    ratio = (ours.geometry.area / 1e6 / official)[official > 0]
    lines = [
        "## Approximate boundaries vs real 2025 communes",
        "",
        f"IoU of each of the {len(iou_ours):,} real 2025 communes with its drawn polygon (joined on commune_code).",
        "",
        "| method | median IoU | p25 | p75 | share IoU ≥ 0.5 |",
        "|---|---|---|---|---|",
        _iou_row("ours (area-calibrated power diagram, `data/boundaries`)", iou_ours),
        _iou_row(
            "baseline: Voronoi of official centroids clipped to the real coastline", iou_voronoi
        ),
        "",
        f"- drawn area within ±30% of the official area: {((ratio - 1).abs() <= 0.30).mean():.1%} "
        f"of communes (within ±10%: {((ratio - 1).abs() <= 0.10).mean():.1%})",
    ]
    if build:
        lines += [
            f"- official centroid inside its polygon: 2025 {build['contains_centroid_2025']:.2%}, "
            f"legacy {build['contains_centroid_legacy']:.2%}",
            f"- full build: {build['seconds']:.0f} s, peak memory {build['peak_gb']:.1f} GB (ru_maxrss)",
        ]
    return "\n".join(lines)


def _iou_row(label: str, iou: pd.Series) -> str:
    q25, q50, q75 = iou.quantile([0.25, 0.5, 0.75])
    return f"| {label} | {q50:.3f} | {q25:.3f} | {q75:.3f} | {(iou >= 0.5).mean():.1%} |"


if __name__ == "__main__":
    sys.exit(main())
