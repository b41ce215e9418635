"""Benchmark: how fast the app answers, where users wait: in headless Chromium, from navigation (or the change)
until every chart of the page is drawn and the script has finished (no stale element left). The median of
--repeat runs (at least 5) of each, on a warm server (the figures cached, as after the first user):

1. first visit of each page: a new browser context (empty browser cache). Target <= 2.5 s.
2. revisit of the page in the same context (browser cache warm). Target <= 1.0 s.
3. switching PCN on the PCN profile page, from the click on the new PCN in the open list. Target <= 0.5 s.
4. the slide pack, from the click to the download offered. Target <= 5 s.
Also the server's own time for a PCN switch (AppTest, no browser; <= 150 ms) and a cold start (new server and
browser, to the first chart; <= 4 s).

    .venv/bin/python benchmarks/app.py [--db data/demo.duckdb] [--repeat 5]
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


#: True once every chart of the page is drawn and nothing is left from the previous run.
ALL_DRAWN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale="true"]') && charts.length > 0
        && charts.every(c => c.querySelector('.main-svg .plot, .main-svg .layer-above, .main-svg'));
}"""

PAGES = ["", "PCN_profile", "Compare_PCNs", "Workforce_plan", "MHP_allocation", "MHP_impact"]
LINK = "period=2023-24&icb=QZB&pcn=U90001"


def visit(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=20)
    return time.perf_counter() - started


def browser_times(db: Path, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"first visit": [], "revisit": [], "switch PCN": [], "slide pack": []}
    with streamlit_server(db) as url, chromium() as browser:
        warm = browser.new_page()
        for path in PAGES:  # warm the server's caches, as after the first user
            visit(warm, f"{url}/{path}?{LINK}")
        warm.close()
        for _ in range(repeat):
            for path in PAGES:
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                times["first visit"].append(visit(page, f"{url}/{path}?{LINK}"))
                times["revisit"].append(visit(page, f"{url}/{path}?{LINK}"))
                context.close()
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        visit(page, f"{url}/PCN_profile?{LINK}")
        pcns = [f"U900{n:02d}" for n in (1, 2, 4, 5, 9, 11, 17, 19, 21, 27, 30, 31)]
        for code in (pcns * 2)[1:2 * repeat + 3]:  # a dozen switches: a steadier median
            select = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(2)
            select.click()  # the list opened; the change is the choice
            option = page.get_by_role("option", name=f"({code})").first
            option.wait_for()
            started = time.perf_counter()
            option.click()
            page.wait_for_function(f"() => document.querySelector('h1') && "
                                   f"document.querySelector('h1').textContent.includes('{code}')", polling=20)
            page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=20)
            times["switch PCN"].append(time.perf_counter() - started)
        for _ in range(repeat):
            visit(page, f"{url}/PCN_profile?{LINK}")
            started = time.perf_counter()
            page.get_by_role("button", name="Make the slide pack (PPTX)").click()
            page.get_by_role("button", name="Download the slide pack").wait_for(timeout=120_000)
            times["slide pack"].append(time.perf_counter() - started)
        context.close()
    return times


TARGETS = {"first visit": 2.5, "revisit": 1.0, "switch PCN": 0.5, "slide pack": 5.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "data" / "demo.duckdb"))
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measure (the median is the figure)")
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        sys.exit(f"{db} does not exist: run ./scripts/run.sh once (or python -m phm_profile build) first")
    for name, values in browser_times(db, max(args.repeat, 5)).items():
        print(f"{name} in Chromium until every chart is drawn: median {statistics.median(values):.2f} s over "
              f"{len(values)} runs (max {max(values):.2f} s; target <= {TARGETS[name]} s)")
    times = switch_pcn_times(db)
    print(f"switch PCN, warm cache, server time: median {1000 * statistics.median(times):.0f} ms, "
          f"max {1000 * max(times):.0f} ms over {len(times)} PCNs (target <= 150 ms)")
    starts = [cold_start(db) for _ in range(3)]
    print(f"cold start to the first chart drawn in Chromium: median {statistics.median(starts):.1f} s of "
          f"{len(starts)} ({', '.join(f'{t:.1f}' for t in starts)}; target <= 4 s)")


if __name__ == "__main__":
    main()
