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


def _write_csv(table, out: Path) -> int:  # noqa: ANN001 - a pandas DataFrame
    with atomic_path(out) as temporary:
        table.to_csv(temporary, index=False, encoding="utf-8-sig")
    print(f"wrote {len(table)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
