"""What "board-ready" means, checked in Chromium on every page with charts at a desk's width (1440 px), a phone's
(390 px) and in workshop mode: no chart text cut off at its chart's edge, chart text at least 11 px (16 px on a
shared screen), and a screenshot of each page for a person to look at (tests/screenshots/)."""

from pathlib import Path

import pytest
from browser import SCREENSHOTS, chromium, streamlit_server, wait_for_app

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")

LINK = "period=2023-24&icb=QZB&pcn=U90001"
PAGES = ["", "PCN_profile", "Compare_PCNs", "Workforce_plan", "MHP_allocation"]

#: For every chart on the page: each text element outside its chart's box (with 1 px slack) and the smallest text.
MEASURE = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((chart, i) => {
    const box = chart.querySelector('.main-svg').getBoundingClientRect();
    const texts = [...chart.querySelectorAll('.main-svg text, .main-svg + .main-svg text')]
        .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0);
    const outside = texts.filter(t => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
    }).map(t => t.textContent.trim().slice(0, 40));
    const smallest = Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize)));
    return {chart: i, outside, smallest};
})"""


@pytest.fixture(scope="module")
def server(demo_db):
    with streamlit_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("width, workshop", [(1440, False), (390, False), (1440, True)])
@pytest.mark.parametrize("path", PAGES)
def test_no_chart_text_is_cut_off_or_too_small(server, browser, path, width, workshop):
    context = browser.new_context(viewport={"width": width, "height": 1200})
    page = context.new_page()
    page.goto(f"{server}/{path}?{LINK}" + ("&workshop=1" if workshop else ""))
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    page.wait_for_timeout(1500)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 50, 14000)})
    page.wait_for_timeout(1500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"page_{path or 'overview'}_{width}{'_workshop' if workshop else ''}.png"))
    charts = page.evaluate(MEASURE)
    context.close()
    assert charts
    smallest = 16 if workshop else 11
    for chart in charts:
        assert not chart["outside"], (path, chart)
        assert chart["smallest"] >= smallest, (path, chart)
