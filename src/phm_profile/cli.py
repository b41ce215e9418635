"""phm-profile COMMAND ... (or python -m phm_profile): the command line mirrors the library."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import demo, store


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def cmd_demo(args) -> int:
    started = time.perf_counter()
    files = demo.write_demo(Path(args.out), args.scale, args.seed, _progress)
    print(f"Wrote {len(files)} synthetic extracts to {args.out} in {time.perf_counter() - started:.1f} s.")
    return 0


def _print_report(report) -> None:
    if report.issues:
        print(report.text())


def cmd_validate(args) -> int:
    if not Path(args.data).is_dir():
        print(f"{args.data} is not a folder; give the folder that holds the extracts.")
        return 2
    report = store.validate(Path(args.data), _progress)
    _print_report(report)
    print(f"{len(report.errors)} errors, {len(report.warnings)} warnings.")
    return 1 if report.errors else 0


def cmd_build(args) -> int:
    started = time.perf_counter()
    try:
        result = store.build(Path(args.data), Path(args.db), _progress)
    except store.BuildFailed as failed:
        _print_report(failed.report)
        print(f"Build failed: {len(failed.report.errors)} errors, {len(failed.report.warnings)} warnings. "
              f"{args.db} was not changed.")
        return 1
    _print_report(result.report)
    print("\n".join(result.file_summary()))
    print(f"Built {args.db} from {len(result.files)} files in {time.perf_counter() - started:.1f} s "
          f"({len(result.report.warnings)} warnings).")
    for table, rows in result.table_rows.items():
        print(f"  {table:<28} {rows:>12,} rows")
    return 0


def _positive(text: str) -> float:
    """A finite number above zero, for fetch's limits."""
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number above zero")
    return value


def cmd_fetch(args) -> int:
    from . import fetch

    what = {w.strip() for w in args.what.split(",") if w.strip()} if args.what else None
    manifest = Path(args.manifest) if args.manifest else fetch.MANIFEST
    try:
        fetched, failures = fetch.fetch(args.year, Path(args.out), what, manifest,
                                        max_expanded_bytes=int(args.max_expanded_mb * (1 << 20)),
                                        deadline_seconds=args.deadline_minutes * 60)
    except ValueError as exc:
        print(f"fetch: {exc}")
        return 2
    for f in fetched:
        print(f"  {f.dataset:<18} {f.path.name} ({f.size:,} bytes, sha256 {f.sha256[:12]}...)")
    for failure in failures:
        print(f"NOT FETCHED {failure}")
    print(f"Fetched {len(fetched)} files into {args.out} ({len(failures)} datasets not fetched); recorded in "
          f"{Path(args.out) / 'fetched.json'}. Next: python -m phm_profile build --data {args.out} --db FILE")
    return 1 if failures else 0


def cmd_serve(args) -> int:
    """Start the app (``streamlit run app.py``) with the heavy libraries already imported in the server
    process, so the first person to open it does not wait for them."""
    import logging

    from streamlit.web import cli as streamlit_cli

    # The cached views are defined before Streamlit's runtime starts: its "No runtime found" notice, once per
    # cached function, says nothing to a user starting the app.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from streamlit import file_util

    from . import charts, ui, views, workforce  # noqa: F401  (pandas, plotly, duckdb, scipy)
    from .config import PROJECT_DIR

    static = served_static(Path(file_util.get_static_dir()))
    if static is not None:
        file_util.get_static_dir = lambda: str(static)
    sys.argv = ["streamlit", "run", str(PROJECT_DIR / "app.py"), *args.streamlit_options]
    return streamlit_cli.main()


#: Where Streamlit's page starts its own code; the chart bundle's import is put after it.
_BOOT_SCRIPT = '<script type="module" crossorigin src="./static/js/index.'

#: Streamlit's page looks for its server first under the page's own path (/PCN_profile/_stcore/health, a 404),
#: then, after a pause, one level up: told where the server is (the page's folder, as the page's own
#: ./static/ links assume), it connects at once. window.__streamlit is Streamlit's setting for this.
_SERVER_HERE = ('<script>window.__streamlit = {...window.__streamlit, '
                'BACKEND_BASE_URL: new URL(".", window.location.href).href}</script>')


def served_static(static: Path) -> Path | None:
    """Streamlit's static files (``static``) in a temporary folder whose page boots faster: it imports the chart
    bundle as it starts, and connects to the server without first trying the page's path.

    Streamlit fetches its plotly bundle (4.7 MB of JavaScript) only once the first chart of a page arrives, so
    a first visit waited for the page's other elements, then for the bundle to load and run; and every visit of
    a page other than the first waited ~150 ms for the failed look for the server (benchmarks/README.md,
    session 9). Every other file is Streamlit's own, linked, not copied. None (Streamlit's files are served as
    they are) when this Streamlit's page or bundle is not as expected, or links cannot be made here."""
    import atexit
    import shutil
    import tempfile

    bundles = sorted((static / "static" / "js").glob("PlotlyChart.*.js"))
    page = (static / "index.html").read_text(encoding="utf-8") if (static / "index.html").is_file() else ""
    if len(bundles) != 1 or page.count(_BOOT_SCRIPT) != 1 or "window.__streamlit" in page:
        return None
    folder = Path(tempfile.mkdtemp(prefix="phm-profile-static-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    try:
        for entry in static.iterdir():
            if entry.name != "index.html":
                (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    except OSError:
        return None
    start = page.index(_BOOT_SCRIPT)
    end = page.index("</script>", start) + len("</script>")
    preload = f'\n    <script type="module">import("./static/js/{bundles[0].name}")</script>'
    page = page[:start] + _SERVER_HERE + "\n    " + page[start:end] + preload + page[end:]
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder


def build_parser() -> argparse.ArgumentParser:
    """Every command and option (tests/test_docs.py checks the README documents each)."""
    parser = argparse.ArgumentParser(prog="phm-profile", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="write synthetic demo extracts in the published layouts")
    p.add_argument("--out", required=True, help="folder to write the extracts into")
    p.add_argument("--scale", choices=sorted(demo.SCALES), default="icb")
    p.add_argument("--seed", type=int, default=2024)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("validate", help="check every extract in a folder without building")
    p.add_argument("--data", required=True)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="load, check and build a database, swapping it in only if all is well")
    p.add_argument("--data", required=True)
    p.add_argument("--db", required=True)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("fetch", help="download the publishers' files for a financial year (data/publications.csv)")
    p.add_argument("--year", required=True, help="financial year, e.g. 2023-24")
    p.add_argument("--out", required=True, help="folder to put the files in (then: build --data FOLDER)")
    p.add_argument("--what", help="comma-separated datasets (qof,registrations,imd,epcn,epraccur,talking_therapies); "
                                  "default: all")
    p.add_argument("--manifest", help="a manifest of your own instead of data/publications.csv")
    p.add_argument("--max-expanded-mb", type=_positive, default=2048,
                   help="refuse a zip whose tables unpack to more than this many MB (2^20 bytes; default 2048)")
    p.add_argument("--deadline-minutes", type=_positive, default=30,
                   help="give up a file not fully arrived after this long (default 30); run again to resume")
    p.set_defaults(func=cmd_fetch)

    _add_profile_commands(sub)
    p = sub.add_parser("serve", help="start the app; options after it go to streamlit (e.g. --server.port 8502)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)  # serve passes what it does not know on to streamlit
    if extra and args.func is not cmd_serve:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.streamlit_options = extra
    return args.func(args)


def _add_profile_commands(sub) -> None:
    """profile and export (the PCN profile; see profile.py)."""
    from . import profile

    p = sub.add_parser("profile", help="print one PCN's mental-health profile")
    p.add_argument("--db", required=True)
    p.add_argument("--pcn", required=True)
    p.add_argument("--period")
    p.add_argument("--suppress", action="store_true", help="small-number suppression, as the app applies it "
                   "(counts 1-7 hidden, others rounded to 5)")
    p.set_defaults(func=profile.cmd_profile)

    p = sub.add_parser("export", help="write a table (pcn_profile; area_profile: the areas shipped in areas/; or "
                                      "mhp_in_post: MHPs by PCN and PCN Workforce edition) to CSV")
    p.add_argument("table", choices=["pcn_profile", "area_profile", "mhp_in_post"])
    p.add_argument("--suppress", action="store_true", help="small-number suppression, as the app applies it")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=profile.cmd_export)
