"""Workshop mode: presentation layout, link to the view, chart PNGs and the PCN slide pack."""

import io
import re

import pytest
from browser import SCREENSHOTS, chromium, streamlit_server, wait_for_app
from conftest import ROOT
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from phm_profile import charts, exports, money, views

PAGES = ["app.py", "pages/1_PCN_profile.py", "pages/2_Compare_PCNs.py", "pages/3_Data_and_methods.py",
         "pages/4_Workforce_plan.py", "pages/5_MHP_allocation.py", "pages/6_MHP_impact.py",
         "pages/7_MHPs_in_post.py"]


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"period": "2022-23", "icb": "QZB", "pcn": "U90001", "workshop": "1"})
    return at


#: What each page's title names in workshop mode besides the year: the PCN on a PCN's page, the ICB on the ICB's.
ABOUT = {"app.py": "ICB QZB", "pages/1_PCN_profile.py": "Demo PCN 0001 (synthetic)",
         "pages/2_Compare_PCNs.py": "ICB QZB", "pages/3_Data_and_methods.py": "Data & methods",
         "pages/4_Workforce_plan.py": "Demo PCN 0001 (synthetic)", "pages/5_MHP_allocation.py": "across NHS Demo QZB Integrated Care Board (synthetic) (QZB)",
         "pages/6_MHP_impact.py": "in NHS Demo QZB Integrated Care Board (synthetic) (QZB)",
         "pages/7_MHPs_in_post.py": "MHPs in post against need", "pages/8_Your_areas.py": "Your areas"}


def test_workshop_titles_name_the_pcn_or_icb_and_period_and_the_link_keeps_the_view(app):
    at = app.run()
    for page in PAGES:
        if page != "app.py":
            at.switch_page(page).run()
        assert not at.exception, page
        assert ABOUT[page] in at.title[0].value and "2022-23" in at.title[0].value, page
        assert page in ("pages/1_PCN_profile.py", "pages/4_Workforce_plan.py") or "PCN 0001" not in at.title[0].value
        link = next(c.value for c in at.code if "pcn=" in c.value)
        assert all(part in link for part in ("period=2022-23", "icb=QZB", "pcn=U90001", "workshop=1"))
    at.sidebar.toggle(key="workshop_toggle").set_value(False).run()
    assert "workshop" not in at.query_params
    assert "2022-23" not in at.title[0].value


def test_slide_pack_opens_with_the_pcns_slides(app):
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    at.button(key="make_pack").click().run()
    assert not at.exception
    labels = lambda: [b.proto.label for b in at.get("download_button")]  # noqa: E731
    assert "Download the slide pack" in labels()  # offered for this PCN
    deck = Presentation(io.BytesIO(at.session_state["_slide_pack"][1]))
    slides = list(deck.slides)
    assert len(slides) == 4
    assert "Demo PCN 0001 (synthetic) (U90001)" in slides[0].shapes.title.text
    assert sum(1 for s in slides[1:3] for shape in s.shapes if shape.shape_type == 13) == 2  # pictures
    table = next(shape for shape in slides[3].shapes if shape.has_table).table
    assert table.cell(0, 0).text == "Year" and table.cell(1, 0).text == money.current_year()
    # After switching PCN, the previous PCN's pack is not offered (it was, holding the wrong slides).
    other = at.sidebar.selectbox(key="sidebar_pcn").options[2].rsplit("(", 1)[1].rstrip(")")
    at.sidebar.selectbox(key="sidebar_pcn").select(other).run()
    assert not at.exception and "Download the slide pack" not in labels()


def test_chart_png_is_drawn_offline(demo_db):
    profile = views.pcn_profile(str(demo_db), "U90001", "2022-23", True)
    png = exports.figure_png(charts.spine_chart(profile, views.england_range(str(demo_db), "2022-23", True)))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(), reason="no chromium")
def test_workshop_mode_in_the_browser(demo_db):
    with streamlit_server(demo_db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{url}/PCN_profile?period=2022-23&icb=QZB&pcn=U90001&workshop=1")
        wait_for_app(page)
        page.get_by_role("heading", name=re.compile("2022-23")).wait_for()
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
        assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
        assert size >= 45
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "workshop_mode.png"))
