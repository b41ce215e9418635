"""Benchmark: the overview grid ("tartan rug") of every PCN in England against every indicator, on a national
build (the real published files: 1,250 PCNs x 33 indicators), in headless Chromium from the click on "England"
until the grid is drawn. Target <= 2 s (issue 17). The median of --repeat runs on a warm server; the first run
(figure not yet cached) printed apart.

    .venv/bin/python benchmarks/grid.py [--db a national build] [--repeat 5]

Without --db it builds the real files of ../shared/data/real (as tests/test_real_data.py does) into a temporary
folder first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, streamlit_server, wait_for_app

#: The grid drawn (its heatmap image painted), the script finished, and the chart at least ``tall`` px high.
DRAWN = """(tall) => { const app = document.querySelector('[data-testid="stApp"]');
    const chart = document.querySelector('[data-testid="stPlotlyChart"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale="true"]') && chart && chart.querySelector('.hm image, .heatmaplayer image')
        && chart.getBoundingClientRect().height >= tall; }"""


def national_db() -> Path:
    from test_real_data import FULL_SET, link

    from phm_profile import store

    folder = link(Path(tempfile.mkdtemp()), *FULL_SET)
    db = folder.parent / "national.duckdb"
    store.build(folder, db)
    return db


def grid_times(db: Path, repeat: int) -> tuple[float, list[float], int]:
    with streamlit_server(db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{url}/?period=2022-23&icb=QE1&view=All+indicators")
        wait_for_app(page)
        page.wait_for_function(DRAWN, arg=0, timeout=60_000)
        times = []
        for run in range(repeat + 1):
            started = time.perf_counter()
            page.locator('[data-testid="stRadio"]').first.get_by_text("England", exact=True).click()
            page.wait_for_function(DRAWN, arg=2000, timeout=60_000, polling=20)  # England's rows, not the ICB's
            times.append(time.perf_counter() - started)
            rows = page.evaluate("() => document.querySelector('[data-testid=\"stPlotlyChart\"]').getBoundingClientRect().height")
            page.locator('[data-testid="stRadio"]').first.get_by_text("ICB", exact=True).click()
            page.wait_for_function("(tall) => { const c = document.querySelector('[data-testid=\"stPlotlyChart\"]');"
                                   " return c && c.getBoundingClientRect().height < tall; }", arg=2000, timeout=60_000)
            page.wait_for_function(DRAWN, arg=0, timeout=60_000, polling=20)
        return times[0], times[1:], int(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a national build (default: build ../shared/data/real first)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = Path(args.db) if args.db else national_db()
    first, times, height = grid_times(db, max(args.repeat, 5))
    print(f"overview grid of England (national build) in Chromium, from the click until drawn: median "
          f"{statistics.median(times):.2f} s over {len(times)} runs (max {max(times):.2f} s; first, figure not "
          f"cached: {first:.2f} s; grid {height:,} px tall; target <= 2 s)")


if __name__ == "__main__":
    main()
