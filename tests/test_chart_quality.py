"""What "board-ready" means, checked in Chromium on every page with charts at a desk's width (1440 px), a phone's
(390 px) and in workshop mode: no chart text cut off at its chart's edge, chart text at least 11 px (16 px on a
shared screen), and a screenshot of each page for a person to look at (tests/screenshots/)."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from browser import SCREENSHOTS, wait_for_app

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")

LINK = "period=2023-24&icb=QZB&pcn=U90001"
#: Every view (ui.view's tabs) that draws charts, by page.
VIEWS = [("", "Map"), ("", "All indicators"), ("PCN_profile", "Spine chart"), ("PCN_profile", "Population"), ("PCN_profile", "Services"),
         ("PCN_profile", "Trends"), ("Compare_PCNs", "League table"), ("Compare_PCNs", "Funnel plot"),
         ("Compare_PCNs", "Two indicators"), ("Compare_PCNs", "Map"), ("Compare_PCNs", "Inequality"), ("Workforce_plan", "Chart"),
         ("MHP_allocation", "Chart"), ("MHP_allocation", "Map"), ("MHP_impact", "In post"), ("MHP_impact", "Map"),
         ("MHP_impact", "Before and after")]

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


@pytest.mark.parametrize("width, workshop", [(1440, False), (390, False), (1440, True)])
@pytest.mark.parametrize("path, view", VIEWS, ids=[f"{p or 'overview'}-{v}" for p, v in VIEWS])
def test_no_chart_text_is_cut_off_or_too_small(server, browser, path, view, width, workshop):
    context = browser.new_context(viewport={"width": width, "height": 1200})
    page = context.new_page()
    page.goto(f"{server}/{path}?{LINK}&{urlencode({'view': view})}" + ("&workshop=1" if workshop else ""))
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    page.wait_for_timeout(1500)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 50, 14000)})
    page.wait_for_timeout(1500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"page_{path or 'overview'}_{view.lower().replace(' ', '_')}_{width}{'_workshop' if workshop else ''}"
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    charts = page.evaluate(MEASURE)
    context.close()
    assert charts
    smallest = 16 if workshop else 11
    for chart in charts:
        assert not chart["outside"], (path, chart)
        assert chart["smallest"] >= smallest, (path, chart)


def _slide_figures(db):
    from phm_profile import charts, database, queries

    con = database.connection(str(db))
    profile = queries.pcn_profile(con, "U90001", "2023-24", True)
    england = queries.england_range(con, "2023-24", True)
    league = queries.indicator_across_pcns(con, "QZB", "2023-24", "prev_mh", True)
    return {"spine": charts.spine_chart(profile, england, compact=True), "league": charts.league_chart(league, "U90001")}


@pytest.mark.parametrize("name", ["spine", "league"])
def test_slide_charts_keep_every_text_inside_the_svg_the_exporter_writes(demo_db, browser, name):
    """Each slide's chart as kaleido writes it (SVG, then the PNG placed on the slide): every text element lies
    inside the picture and is at least 16 px at the slide's 1,200 px width; the PNG is kept as the slide's image."""
    from phm_profile import exports

    figure = exports.slide_figure(_slide_figures(demo_db)[name])
    width, height = figure.layout.width, figure.layout.height
    svg = figure.to_image(format="svg", width=width, height=height).decode()
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
    texts = page.evaluate("""() => { const box = document.querySelector('svg').getBoundingClientRect();
        return [...document.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent.trim().slice(0, 40), size: parseFloat(getComputedStyle(t).fontSize),
                    inside: r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1
                            && r.bottom <= box.bottom + 1};
        }); }""")
    page.close()
    assert len(texts) > 10
    assert [t for t in texts if not t["inside"]] == []
    assert min(t["size"] for t in texts) >= exports.SLIDE_FONT_PX
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"slide_{name}.png").write_bytes(exports.figure_png(figure, width, height))


def test_the_one_page_profile_is_one_page_with_the_chart_drawn(demo_db, browser):
    from phm_profile import database, exports, queries, wording

    con = database.connection(str(demo_db))
    profile = queries.pcn_profile(con, "U90001", "2023-24", True)
    page_html = exports.profile_html("Demo PCN 0001 (U90001)", "Mental-health profile, 2023-24",
                                     wording.headline(profile), wording.summary_sentences(profile),
                                     _slide_figures(demo_db)["spine"], exports.source_note("2023-24", True, True))
    assert "https://" not in page_html.split("<script", 1)[0]  # nothing fetched: plotly.js is in the page
    pdf = exports.profile_pdf(page_html, browser)
    assert pdf.startswith(b"%PDF") and len(__import__("re").findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page = browser.new_page(viewport={"width": 720, "height": 1000})
    page.set_content(page_html)
    page.wait_for_selector(".main-svg")
    assert page.locator(".main-svg text", has_text="SMI prevalence (%)").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "one_page_profile.png"), full_page=True)
    page.close()
