"""WCAG 2.2 AA checks with axe-core (the copy bundled in axe-playwright-python: nothing is downloaded) in headless
Chromium, on the views of the pages named below (demo data)."""

from pathlib import Path

import pytest
from browser import wait_for_app

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LINK = "period=2023-24&icb=QZB&pcn=U90001"
VIEWS = ["?view=Map", "?view=All+indicators", "PCN_profile?view=Spine+chart", "PCN_profile?view=Population",
         "Compare_PCNs?view=League+table", "Compare_PCNs?view=Funnel+plot", "Compare_PCNs?view=Map", "Data_and_methods?x=1",
         "Workforce_plan?view=Chart", "MHP_allocation?view=Chart", "MHP_impact?view=In+post",
         "MHPs_in_post?view=Need+against+in+post", "MHPs_in_post?view=Table", "MHPs_in_post?view=Map",
         "MHPs_in_post?view=Over+time", "MHPs_in_post?view=PCN+team", "MHPs_in_post?view=About+the+data",
         "PCN_profile?view=Practices", "Your_areas?areas_view=Profile", "Your_areas?areas_view=Compare+areas",
         "Your_areas?areas_view=Practices", "Your_areas?areas_view=Map", "Your_areas?areas_view=Workforce",
         "Your_areas?areas_view=Trends"]


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"]]


@pytest.mark.parametrize("path", VIEWS)
@pytest.mark.parametrize("width", [1440, 390])
def test_no_wcag_22_aa_violation(server, browser, path, width):
    context = browser.new_context(viewport={"width": width, "height": 1200})
    page = context.new_page()
    page.goto(f"{server}/{path}&{LINK}")
    wait_for_app(page)
    page.wait_for_timeout(1_500)  # the charts drawn
    assert page.locator('[data-testid="stException"]').count() == 0
    found = violations(page)
    context.close()
    assert not found, found
