"""Benchmark: choosing an area on the Your areas page (the profile view of a set of neighbourhoods) until its
spine chart is drawn and the script has finished, in headless Chromium, beside switching PCN on the PCN profile
measured the same way in the same server. Target (issue 27): an area of 20 practices within the PCN switch's
figure + 20%.

    .venv/bin/python benchmarks/areas.py [--db data/demo.duckdb] [--repeat 6]

The demo ships areas/neighbourhoods.csv: four neighbourhoods of three PCNs and one of 19 practices that splits a
PCN (built into data/demo.duckdb by ./scripts/run.sh).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app import ALL_DRAWN  # noqa: E402  (benchmarks/app.py: every chart drawn, nothing stale)
from browser import chromium, streamlit_server, wait_for_app  # noqa: E402

LINK = "period=2023-24&icb=QZB&pcn=U90001"
SPLIT = "Demo split neighbourhood (synthetic)"


def choose(page, select, option_name: str) -> float:
    select.click()
    option = page.get_by_role("option", name=option_name, exact=True).first
    option.wait_for()
    started = time.perf_counter()
    option.click()
    page.wait_for_timeout(50)  # the rerun starts before the check below
    page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=20)
    return time.perf_counter() - started


def times(db: Path, repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"choose the 19-practice area": [], "choose a 3-PCN area": [], "switch PCN": []}
    with streamlit_server(db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{url}/Your_areas?{LINK}&areas=neighbourhoods&area=Demo+neighbourhood+1+(synthetic)")
        wait_for_app(page)
        page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=20)
        area = page.get_by_role("combobox", name="Area", exact=True)
        for i in range(repeat + 1):  # the first of each warms the server's caches
            split = choose(page, area, SPLIT)
            whole = choose(page, area, "Demo neighbourhood 1 (synthetic)")
            if i:
                out["choose the 19-practice area"].append(split)
                out["choose a 3-PCN area"].append(whole)
        page.goto(f"{url}/PCN_profile?{LINK}")
        wait_for_app(page)
        page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=20)
        pcn = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(2)
        for i, code in enumerate(["U90002", "U90001"] * (repeat + 1)):
            pcn.click()
            option = page.get_by_role("option", name=f"({code})").first
            option.wait_for()
            started = time.perf_counter()
            option.click()
            page.wait_for_function(f"() => document.querySelector('h1') && "
                                   f"document.querySelector('h1').textContent.includes('{code}')", polling=20)
            page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=20)
            if i >= 2:
                out["switch PCN"].append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "data" / "demo.duckdb"))
    parser.add_argument("--repeat", type=int, default=6)
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        sys.exit(f"{db} does not exist: run ./scripts/run.sh once (or python -m phm_profile build) first")
    measured = times(db, max(args.repeat, 5))
    pcn = statistics.median(measured["switch PCN"])
    for name, values in measured.items():
        print(f"{name}, until every chart is drawn: median {statistics.median(values):.2f} s over {len(values)} "
              f"(max {max(values):.2f} s)")
    area = statistics.median(measured["choose the 19-practice area"])
    print(f"area / PCN switch: {area / pcn:.2f} (target <= 1.20: {'met' if area <= 1.2 * pcn else 'not met'})")


if __name__ == "__main__":
    main()
