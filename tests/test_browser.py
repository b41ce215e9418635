"""The app in headless Chromium (Debian's, through Playwright): every page on a cold server, deep links, the
first widget change, charts and the map drawn. Screenshots go to tests/screenshots/."""

import re
from pathlib import Path

import pytest
from browser import SCREENSHOTS, select_option, selected, streamlit_server, wait_for_app

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")

LINK = "period=2022-23&icb=QZB&pcn=U90001&indicator=prev_dep"
PAGES = [  # url path, title on the page, whether it draws charts, whether it draws the map
    ("", "ICB overview", True, True),
    ("PCN_profile", "Demo PCN 0001", True, False),
    ("Compare_PCNs", "Compare PCNs", True, False),
    ("Compare_PCNs?view=Map", "Compare PCNs", True, True),
    ("Data_and_methods", "Data & methods", False, False),
    ("Workforce_plan", "Workforce plan", True, False),
    ("MHP_allocation", "MHP allocation", True, False),
    ("MHP_allocation?view=Map", "MHP allocation", True, True),
    ("MHP_impact?view=Before+and+after", "MHP impact", True, False),
    ("MHPs_in_post", "MHPs in post", True, False),
    ("MHPs_in_post?view=Map", "MHPs in post", True, True),
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("path, title, charts, draws_map", PAGES, ids=[p[0].replace("?view=", "_") or "overview" for p in PAGES])
def test_deep_link_to_each_page_on_a_cold_server(server, page, path, title, charts, draws_map):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/{path}{'&' if '?' in path else '?'}{LINK}")
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile(title)).first.wait_for(timeout=30_000)
    if charts:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    if draws_map:
        page.wait_for_selector('[data-testid="stPlotlyChart"] canvas', timeout=30_000)
        page.wait_for_timeout(1_000)  # let the map paint its polygons before the screenshot
    assert page.locator('[data-testid="stException"]').count() == 0
    assert selected(page, "Financial year") == "2022-23"
    assert "U90001" in selected(page, "PCN")
    page.screenshot(path=str(SCREENSHOTS / f"{path.replace('?view=', '_') or 'overview'}.png"))


def test_first_widget_change_takes_effect_on_a_cold_server(demo_db, browser):
    with streamlit_server(demo_db) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = context.new_page()
        page.goto(f"{url}/PCN_profile?period=2023-24&icb=QZB&pcn=U90001")
        wait_for_app(page)
        page.get_by_role("heading", name=re.compile(r"\(U90001\)")).wait_for()
        select_option(page, "PCN", "U90002")
        page.get_by_role("heading", name=re.compile(r"\(U90002\)")).wait_for(timeout=30_000)
        wait_for_app(page)
        assert "pcn=U90002" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        context.close()


def test_workforce_plan_xlsx_downloads_and_opens(server, page, tmp_path):
    import pandas as pd

    page.goto(f"{server}/Workforce_plan?{LINK}")
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile("Workforce plan")).wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Plan (XLSX)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    from phm_profile.exports import XLSX_HEADER_ROW

    book = pd.read_excel(path, sheet_name=None, header=XLSX_HEADER_ROW)
    assert {"Plan", "Assumptions", "Inputs", "Money"} <= set(book)
    assert book["Plan"]["Suggested (WTE)"].notna().all()
    assert book["Plan"]["Source of the money"].notna().all()


def test_the_served_page_boots_with_the_chart_bundle_and_finds_its_server_at_once(server, page):
    """`phm_profile serve` gives Streamlit's page with the plotly bundle imported from the page itself and the
    server's address set (cli.served_static): the bundle is fetched once, the charts draw from it, and the page
    does not first look for the server under its own path."""
    import urllib.request

    html = urllib.request.urlopen(f"{server}/PCN_profile").read().decode()
    assert re.search(r'import\("\./static/js/PlotlyChart\.[\w-]+\.js"\)', html)
    page.goto(f"{server}/PCN_profile?{LINK}")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    fetched = page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)"
                            ".filter(n => n.includes('PlotlyChart.'))")
    assert len(fetched) == 1, fetched
    looked = page.evaluate("() => performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)"
                           ".filter(p => p.endsWith('_stcore/health'))")
    assert looked == ["/_stcore/health"], looked


@pytest.mark.parametrize("path, button, use", [
    ("Workforce_plan", "Money per WTE by year and band (view or edit)", "Use these figures"),
    ("MHP_allocation", "Floors and current staffing per PCN (view or edit)", "Use these figures"),
    ("MHP_impact", "MHP staffing: load a file or edit the table", "Use this staffing"),
])
def test_each_table_to_edit_opens_in_its_dialog_and_closes_on_use(server, page, path, button, use):
    page.goto(f"{server}/{path}?{LINK}")
    wait_for_app(page)
    page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog")
    dialog.locator('[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"]').first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / f"dialog_{path}.png"))
    dialog.get_by_role("button", name=use).click()
    dialog.wait_for(state="detached", timeout=30_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
