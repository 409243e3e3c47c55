"""Command line: ``python -m geo SUBCOMMAND …`` (a thin shell over the library).

Each subcommand parses its arguments, calls one library function and turns
the project's errors into a one-line ``error: …`` and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from geo import schema
from geo.errors import CoverageError
from geo.reading.atomic import atomic_path
from geo.reference import crosswalk, register

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; 0 on success, 2 on a usage or input error (a one-line message on stderr)."""
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

    command = _add(
        commands, "register", _run_register, "write the official register (2025 or legacy) as CSV"
    )
    command.add_argument("--vintage", choices=["2025", "legacy"], default="2025")
    command.add_argument("--level", choices=["commune", "district", "province"], default="commune")
    command.add_argument("--out", type=Path, required=True, help=_CSV_HELP)

    command = _add(
        commands, "crosswalk", _run_crosswalk, "write the legacy → 2025 commune crosswalk as CSV"
    )
    command.add_argument(
        "--keep-artefacts", action="store_true", help="keep same-name artefacts, flagged"
    )
    command.add_argument("--out", type=Path, required=True, help=_CSV_HELP)

    command = _add(
        commands,
        "import-boundaries",
        _run_import_boundaries,
        "import a commune boundary file and match it to the register",
    )
    command.add_argument(
        "input",
        type=Path,
        metavar="INPUT",
        help="GeoPackage, GeoJSON, Shapefile (.shp or .zip), KML/KMZ, GeoParquet or FlatGeobuf",
    )
    command.add_argument(
        "--out",
        type=Path,
        required=True,
        help="GeoPackage to write (layers communes and report; also OUT.report.csv)",
    )
    command.add_argument(
        "--scheme",
        choices=["auto", "2025", "legacy"],
        default="auto",
        help="register vintage (default: detect)",
    )
    command.add_argument(
        "--crs",
        default=None,
        help="CRS of the coordinates, e.g. EPSG:9209 (default: .prj, else inferred)",
    )
    command.add_argument("--province", default=None, help="province the data is for (code or name)")
    command.add_argument(
        "--code-column", default=None, help="column holding the commune code (default: detected)"
    )
    command.add_argument(
        "--name-column", default=None, help="column holding the commune name (default: detected)"
    )
    command.add_argument(
        "--encoding",
        default=None,
        help="text encoding: utf-8, cp1258, tcvn3, vni … (default: detected)",
    )
    command.add_argument(
        "--layer", default=None, help="layer or archive member, when the file holds several"
    )

    command = _add(
        commands,
        "build-indicators",
        _run_build_indicators,
        "commune, district and province indicators of 4G, fibre and teams",
    )
    command.add_argument(
        "--boundaries",
        type=Path,
        required=True,
        help="boundaries GeoPackage (the embedded one, or the output of import-boundaries)",
    )
    command.add_argument(
        "--out",
        type=Path,
        required=True,
        help="GeoPackage to write (layers communes, districts, provinces, report; also OUT.report.csv)",
    )
    mobile = command.add_mutually_exclusive_group()
    mobile.add_argument(
        "--mobile-raster",
        type=Path,
        default=None,
        help="4G coverage raster: 0/1 mask, or signal strength with --mobile-threshold",
    )
    mobile.add_argument(
        "--mobile-polygons",
        type=Path,
        default=None,
        help="operator 4G coverage polygons (any vector format)",
    )
    mobile.add_argument(
        "--mobile-sites",
        type=Path,
        default=None,
        help="BTS site list (CSV/Excel) turned into predicted coverage (COST-231 Hata)",
    )
    command.add_argument(
        "--mobile-threshold",
        type=float,
        default=None,
        metavar="DBM",
        help="covered where the raster value >= DBM (e.g. -110)",
    )
    command.add_argument(
        "--population",
        type=Path,
        default=None,
        help="population raster (people per cell, e.g. WorldPop)",
    )
    command.add_argument(
        "--fibre",
        type=Path,
        action="append",
        default=None,
        help="fibre table per commune or village (CSV/Excel); repeat for several tables: "
        "for each commune the latest report date wins",
    )
    command.add_argument(
        "--teams",
        type=Path,
        action="append",
        default=None,
        help="community digital-technology team table per commune or village (CSV/Excel); repeatable",
    )
    command.add_argument(
        "--map-column",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="read the column HEADER as FIELD in every table of the run (FIELD 'ignore' leaves it "
        "out); repeatable; 'python -m geo fields' lists the fields",
    )
    command.add_argument(
        "--sheet",
        default=None,
        help="sheet of the Excel tables to read (default: the first visible sheet with a table)",
    )
    command.add_argument(
        "--targets",
        type=Path,
        default=None,
        help="targets TOML (default: geo/indicators/targets_default.toml)",
    )
    command.add_argument(
        "--tables-vintage",
        choices=["auto", "2025", "legacy"],
        default="auto",
        help="vintage of the fibre/team tables (default: detect)",
    )

    _add(
        commands,
        "fields",
        _run_fields,
        "list the fields a table column can be mapped to (--map-column HEADER=FIELD)",
    )

    command = _add(
        commands,
        "export",
        _run_export,
        "export an indicator layer: GeoJSON, GeoPackage, CSV, Excel, offline HTML map, PNG/PDF map sheet",
    )
    command.add_argument(
        "indicators", type=Path, metavar="IND.gpkg", help="output of build-indicators"
    )
    command.add_argument("--out", type=Path, required=True, help="file to write (atomically)")
    command.add_argument(
        "--format", choices=_EXPORT_FORMATS, default=None, help="default: from the suffix of --out"
    )
    command.add_argument("--level", choices=["commune", "district", "province"], default="commune")
    command.add_argument(
        "--indicator",
        default="pct_pop_4g",
        metavar="COL",
        help="column the html/png/pdf map is coloured by (default: pct_pop_4g)",
    )
    command.add_argument(
        "--province",
        default=None,
        metavar="CODE",
        help="only this province (two-digit code, e.g. 96)",
    )
    command.add_argument(
        "--uncovered-only", action="store_true", help="only units that miss at least one target"
    )
    command.add_argument(
        "--size",
        choices=["a4", "slide"],
        default="a4",
        help="png/pdf: A4 landscape or a 16:9 slide",
    )
    command.add_argument("--dpi", type=int, default=300, help="png: resolution (default 300)")
    command.add_argument(
        "--lang",
        choices=["vi", "en"],
        default="vi",
        help="png/pdf: language of the sheet's words and numbers (default vi)",
    )

    command = _add(
        commands,
        "atlas",
        _run_atlas,
        "multi-page PDF: cover, target summary, one map page per province",
    )
    command.add_argument(
        "indicators", type=Path, metavar="IND.gpkg", help="output of build-indicators"
    )
    command.add_argument(
        "--indicator",
        required=True,
        metavar="COL",
        help="column the maps are coloured by, e.g. pct_households_fibre",
    )
    command.add_argument("--out", type=Path, required=True, help="PDF to write (atomically)")
    command.add_argument(
        "--province",
        default=None,
        metavar="CODE",
        help="one page per commune of this province instead",
    )
    command.add_argument(
        "--lang",
        choices=["vi", "en"],
        default="vi",
        help="language of the atlas's words and numbers (default vi)",
    )

    command = _add(
        commands,
        "build-boundaries",
        _run_build_boundaries,
        "regenerate the embedded approximate boundaries",
    )
    command.add_argument(
        "--out", type=Path, default=None, help="GeoPackage to write (default: the embedded one)"
    )
    command.add_argument(
        "--cell-m", type=float, default=200.0, help="grid cell size in metres (default 200)"
    )
    return parser


_EXPORT_FORMATS = ["geojson", "gpkg", "csv", "xlsx", "html", "png", "pdf"]
_CSV_HELP = "CSV file to write (UTF-8 with BOM, so Excel shows Vietnamese correctly)"


def _add(
    commands: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], int],
    text: str,
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
        table = (
            register.read_communes_2025()
            if args.vintage == "2025"
            else register.read_communes_legacy()
        )
    return _write_csv(table, args.out)


def _run_crosswalk(args: argparse.Namespace) -> int:
    return _write_csv(crosswalk.read_crosswalk(keep_artefacts=args.keep_artefacts), args.out)


def _run_build_boundaries(args: argparse.Namespace) -> int:
    from application.settings import DEFAULT_DATA_DIR
    from builders import approx_boundaries  # heavy, build-time only (needs requirements-dev.txt)

    out = args.out or DEFAULT_DATA_DIR / "boundaries" / schema.BOUNDARIES_FILE
    result = approx_boundaries.build_approx_boundaries(
        settings=approx_boundaries.BuildSettings(cell_m=args.cell_m)
    )
    path = approx_boundaries.write_approx_boundaries(result, out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    for name, layer in result.layers.items():
        print(f"  {name}: {len(layer):,} features")
    for key, value in result.quality.items():
        print(f"  {key}: {value:.4g}")
    return 0


def _run_import_boundaries(args: argparse.Namespace) -> int:
    from geo.importing.import_boundaries import (  # heavy: geopandas stack
        ImportOptions,
        import_boundaries,
        write_import,
    )

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
    from geo.indicators.build import (  # heavy: geopandas stack
        Inputs,
        build_indicators,
        write_indicators,
    )
    from geo.reading.vocabulary import parse_mapping

    mapping = parse_mapping(args.map_column)
    inputs = Inputs(
        boundaries=args.boundaries,
        mobile_raster=args.mobile_raster,
        mobile_threshold=args.mobile_threshold,
        mobile_polygons=args.mobile_polygons,
        mobile_sites=args.mobile_sites,
        population=args.population,
        fibre=tuple(args.fibre or ()),
        teams=tuple(args.teams or ()),
        targets=args.targets,
        tables_vintage=args.tables_vintage,
        sheet=args.sheet,
        column_mapping=tuple(mapping.items()),
    )
    result = build_indicators(inputs)
    gpkg, csv = write_indicators(result, args.out)
    print(
        f"wrote {len(result.communes)} communes, {len(result.districts)} districts, {len(result.provinces)} provinces to {gpkg}"
    )
    print("\n".join(summary_lines(result, csv)))
    return 0


def summary_lines(result, csv: Path) -> list[str]:  # noqa: ANN001 - an IndicatorResult
    """What a run found: targets missed (or not evaluated), rows not counted, notes."""
    uncovered = result.communes["uncovered"]
    checked = int(uncovered.notna().sum())
    lines = []
    if checked == 0:
        lines.append("targets not evaluated: no commune could be checked against any target")
    else:
        missed = int(uncovered.fillna(False).sum())
        lines.append(
            f"{missed} of {checked} communes checked miss at least one evaluated target"
            + (
                f" ({len(uncovered) - checked} communes not checked)"
                if checked < len(uncovered)
                else ""
            )
        )
    lines += [f"  {line}" for line in result.not_evaluated]
    outcomes = (
        result.report["outcome"].value_counts().to_dict() if "outcome" in result.report else {}
    )
    shown = ", ".join(f"{k} {v}" for k, v in outcomes.items())
    lines.append(
        f"{len(result.report)} table or site rows not counted or noted ({shown or 'none'}; see {csv})"
    )
    lines += [f"  {note}" for note in result.notes]
    return lines


def _run_fields(args: argparse.Namespace) -> int:
    from geo.reading.vocabulary import field_meanings

    rows = field_meanings()
    width = max(len(field) for field, _, _ in rows)
    for field, vi, en in rows:
        print(f"{field:<{width}}  {vi} / {en}")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from layers import export  # heavy: geopandas stack

    fmt = args.format or (
        args.out.suffix.lower().lstrip(".")
        if args.out.suffix.lower() in (".html", ".png", ".pdf")
        else export.format_of(args.out)
    )
    frame, metadata = export.read_indicator_layer(
        args.indicators,
        level=args.level,
        province=args.province,
        uncovered_only=args.uncovered_only,
    )
    if fmt == "html":
        from layers.html_export import write_html

        written = [write_html(frame, args.out, column=args.indicator, metadata=metadata)]
    elif fmt in ("png", "pdf"):
        from layers.mapsheet import write_mapsheet_from_gpkg

        written = [
            write_mapsheet_from_gpkg(
                args.indicators,
                args.out,
                column=args.indicator,
                level=args.level,
                province=args.province,
                size=args.size,
                dpi=args.dpi,
                lang=args.lang,
            )
        ]
    else:
        written = export.write_export(frame, args.out, fmt=fmt, metadata=metadata)
    print(f"wrote {len(frame)} {args.level} rows to {', '.join(str(p) for p in written)}")
    return 0


def _run_atlas(args: argparse.Namespace) -> int:
    from layers.atlas import write_atlas  # heavy: matplotlib

    pages = write_atlas(
        args.indicators, args.out, column=args.indicator, province=args.province, lang=args.lang
    )
    print(f"wrote {pages} pages to {args.out}")
    return 0


def _write_csv(table, out: Path) -> int:  # noqa: ANN001 - a pandas DataFrame
    with atomic_path(out) as temporary:
        table.to_csv(temporary, index=False, encoding="utf-8-sig")
    print(f"wrote {len(table)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
