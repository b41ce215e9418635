"""Benchmark: how fast the app answers.

1. Switching PCN on the PCN profile page with a warm cache: server time of one script run (AppTest), median
   over every PCN of the demo ICB after each has been shown once. Target <= 150 ms.
2. Cold start: a new Streamlit server, a new headless Chromium, time from opening the PCN profile page to the
   first chart drawn; the median of --repeat cold starts. Target <= 4 s.

    .venv/bin/python benchmarks/app.py [--db data/demo.duckdb] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, streamlit_server, wait_for_app


def switch_pcn_times(db: Path) -> list[float]:
    import phm_profile.ui as ui
    from streamlit.testing.v1 import AppTest

    ui.database_path = lambda: db
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    pcns = [option.rsplit("(", 1)[1].rstrip(")") for option in at.sidebar.selectbox(key="sidebar_pcn").options]
    for code in pcns:  # warm the cache
        at.sidebar.selectbox(key="sidebar_pcn").select(code).run()
    times = []
    for code in pcns[1:] + pcns[:1]:
        started = time.perf_counter()
        at.sidebar.selectbox(key="sidebar_pcn").select(code).run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def cold_start(db: Path) -> float:
    with streamlit_server(db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        started = time.perf_counter()
        page.goto(f"{url}/PCN_profile")
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
        drawn = time.perf_counter() - started
        wait_for_app(page)
        return drawn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "data" / "demo.duckdb"))
    parser.add_argument("--repeat", type=int, default=3, help="cold starts timed (the median is the figure)")
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        sys.exit(f"{db} does not exist: run ./scripts/run.sh once (or python -m phm_profile build) first")
    times = switch_pcn_times(db)
    print(f"switch PCN, warm cache, server time: median {1000 * statistics.median(times):.0f} ms, "
          f"max {1000 * max(times):.0f} ms over {len(times)} PCNs (target <= 150 ms)")
    starts = [cold_start(db) for _ in range(args.repeat)]
    print(f"cold start to the first chart drawn in Chromium: median {statistics.median(starts):.1f} s of "
          f"{len(starts)} ({', '.join(f'{t:.1f}' for t in starts)}; target <= 4 s)")


if __name__ == "__main__":
    main()
