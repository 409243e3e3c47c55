"""Command line: ``python -m geo SUBCOMMAND …`` (a thin shell over the library).

Each subcommand parses its arguments, calls one library function and turns
the project's errors into a one-line ``error: …`` and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from geo import crosswalk, register
from geo._atomic import atomic_path
from geo.errors import CoverageError

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CoverageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Digital-infrastructure coverage of Vietnam's communes: register, boundaries, indicators.",
    )
    commands = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND", required=True)

    command = _add(commands, "register", _run_register, "write the official register (2025 or legacy) as CSV")
    command.add_argument("--vintage", choices=["2025", "legacy"], default="2025")
    command.add_argument("--level", choices=["commune", "district", "province"], default="commune")
    command.add_argument("--out", type=Path, required=True, help=_CSV_HELP)

    command = _add(commands, "crosswalk", _run_crosswalk, "write the legacy → 2025 commune crosswalk as CSV")
    command.add_argument("--keep-artefacts", action="store_true", help="keep same-name artefacts, flagged")
    command.add_argument("--out", type=Path, required=True, help=_CSV_HELP)

    command = _add(commands, "import-boundaries", _run_import_boundaries, "import a commune boundary file and match it to the register")
    command.add_argument("input", type=Path, metavar="INPUT", help="GeoPackage, GeoJSON, Shapefile (.shp or .zip), KML/KMZ, GeoParquet or FlatGeobuf")
    command.add_argument("--out", type=Path, required=True, help="GeoPackage to write (layers communes and report; also OUT.report.csv)")
    command.add_argument("--scheme", choices=["auto", "2025", "legacy"], default="auto", help="register vintage (default: detect)")
    command.add_argument("--crs", default=None, help="CRS of the coordinates, e.g. EPSG:9209 (default: .prj, else inferred)")
    command.add_argument("--province", default=None, help="province the data is for (code or name)")
    command.add_argument("--code-column", default=None, help="column holding the commune code (default: detected)")
    command.add_argument("--name-column", default=None, help="column holding the commune name (default: detected)")
    command.add_argument("--encoding", default=None, help="text encoding: utf-8, cp1258, tcvn3, vni … (default: detected)")
    command.add_argument("--layer", default=None, help="layer or archive member, when the file holds several")

    command = _add(commands, "build-indicators", _run_build_indicators, "commune, district and province indicators of 4G, fibre and teams")
    command.add_argument("--boundaries", type=Path, required=True, help="boundaries GeoPackage (the embedded one, or the output of import-boundaries)")
    command.add_argument("--out", type=Path, required=True, help="GeoPackage to write (layers communes, districts, provinces, report; also OUT.report.csv)")
    mobile = command.add_mutually_exclusive_group()
    mobile.add_argument("--mobile-raster", type=Path, default=None, help="4G coverage raster: 0/1 mask, or signal strength with --mobile-threshold")
    mobile.add_argument("--mobile-polygons", type=Path, default=None, help="operator 4G coverage polygons (any vector format)")
    mobile.add_argument("--mobile-sites", type=Path, default=None, help="BTS site list (CSV/Excel) turned into predicted coverage (COST-231 Hata)")
    command.add_argument("--mobile-threshold", type=float, default=None, metavar="DBM", help="covered where the raster value >= DBM (e.g. -110)")
    command.add_argument("--population", type=Path, default=None, help="population raster (people per cell, e.g. WorldPop)")
    command.add_argument("--fibre", type=Path, default=None, help="fibre table per commune or village (CSV/Excel)")
    command.add_argument("--teams", type=Path, default=None, help="community digital-technology team table per commune or village (CSV/Excel)")
    command.add_argument("--targets", type=Path, default=None, help="targets TOML (default: geo/targets_default.toml)")
    command.add_argument("--tables-vintage", choices=["auto", "2025", "legacy"], default="auto", help="vintage of the fibre/team tables (default: detect)")

    command = _add(commands, "build-boundaries", _run_build_boundaries, "regenerate the embedded approximate boundaries")
    command.add_argument("--out", type=Path, default=None, help="GeoPackage to write (default: the embedded one)")
    return parser


_CSV_HELP = "CSV file to write (UTF-8 with BOM, so Excel shows Vietnamese correctly)"


def _add(
    commands: argparse._SubParsersAction, name: str, run: Callable[[argparse.Namespace], int], text: str
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=text, description=text)
    command.set_defaults(run=run)
    return command


def _run_register(args: argparse.Namespace) -> int:
    if args.level == "district":
        if args.vintage != "legacy":
            raise CoverageError("districts exist only in the legacy system; pass --vintage legacy")
        table = register.read_districts_legacy()
    elif args.level == "province":
        table = register.read_provinces(args.vintage)
    else:
        table = register.read_communes_2025() if args.vintage == "2025" else register.read_communes_legacy()
    return _write_csv(table, args.out)


def _run_crosswalk(args: argparse.Namespace) -> int:
    return _write_csv(crosswalk.read_crosswalk(keep_artefacts=args.keep_artefacts), args.out)


def _run_build_boundaries(args: argparse.Namespace) -> int:
    from geo import approx_boundaries  # heavy, build-time only

    written = approx_boundaries.build_default_boundaries(out=args.out)
    print(f"wrote {written}")
    return 0


def _run_import_boundaries(args: argparse.Namespace) -> int:
    from geo.import_boundaries import ImportOptions, import_boundaries, write_import  # heavy: geopandas stack

    options = ImportOptions(
        scheme=args.scheme,
        crs=args.crs,
        province=args.province,
        code_column=args.code_column,
        name_column=args.name_column,
        encoding=args.encoding,
        layer=args.layer,
    )
    result = import_boundaries(args.input, options=options)
    gpkg, csv = write_import(result, args.out)
    print(f"wrote {len(result.communes)} communes to {gpkg} and the report to {csv}")
    print("\n".join(result.summary_lines()))
    return 0


def _run_build_indicators(args: argparse.Namespace) -> int:
    from geo.indicators import Inputs, build_indicators, write_indicators  # heavy: geopandas stack

    inputs = Inputs(
        boundaries=args.boundaries,
        mobile_raster=args.mobile_raster,
        mobile_threshold=args.mobile_threshold,
        mobile_polygons=args.mobile_polygons,
        mobile_sites=args.mobile_sites,
        population=args.population,
        fibre=args.fibre,
        teams=args.teams,
        targets=args.targets,
        tables_vintage=args.tables_vintage,
    )
    result = build_indicators(inputs)
    gpkg, csv = write_indicators(result, args.out)
    uncovered = int(result.communes["uncovered"].fillna(False).sum())
    print(f"wrote {len(result.communes)} communes, {len(result.districts)} districts, {len(result.provinces)} provinces to {gpkg}")
    print(f"{uncovered} communes miss at least one target; {len(result.report)} table rows not counted (see {csv})")
    return 0


def _write_csv(table, out: Path) -> int:  # noqa: ANN001 - a pandas DataFrame
    with atomic_path(out) as temporary:
        table.to_csv(temporary, index=False, encoding="utf-8-sig")
    print(f"wrote {len(table)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
