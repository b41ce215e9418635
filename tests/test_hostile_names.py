"""Names are text: PCN, practice and ICB names holding markdown links and images, HTML links, styled spans and
Streamlit directives are shown as written on every page and view, in every caption, chart, legend and hover,
never as a live link, an image fetched from elsewhere or styled text; and no request leaves the app's own server.
AppTest reads what each page sends (markdown and plotly figures); Chromium what it draws and what it fetches."""

import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
from browser import free_port, streamlit_server, wait_for_app
from conftest import ROOT, each_view
from streamlit.testing.v1 import AppTest

from phm_profile import database, impact, store, text

PAGES = ["app.py", "pages/1_PCN_profile.py", "pages/2_Compare_PCNs.py", "pages/3_Data_and_methods.py",
         "pages/4_Workforce_plan.py", "pages/5_MHP_allocation.py", "pages/6_MHP_impact.py",
         "pages/7_MHPs_in_post.py"]


class _Canary(http.server.BaseHTTPRequestHandler):
    """Where every hostile link and image points: any request it receives is a failure."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Canary.seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def hostile_names(canary: str) -> dict[str, str]:
    return {
        "U90001": f"![px](http://{canary}/md.png) Alpha <img src=http://{canary}/img.png>",
        "U90002": f'<a href="http://{canary}/a">Beta</a> [link](http://{canary}/l)',
        "U90005": '<span style="font-size:40px">Gamma</span> :red[Delta] **bold** www.evil.example',
        "U90004": f"<b>Epsilon</b><br>$x$ `code` # heading http://{canary}/bare",
    }


@pytest.fixture(scope="module")
def hostile_db(demo_dir, canary, tmp_path_factory):
    """The demo with four PCNs, their practices and their ICB named with markup pointing at the canary."""
    folder = tmp_path_factory.mktemp("hostile_names")
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    names = hostile_names(canary)
    for path in folder.glob("MAPPING_NHS_GEOGRAPHIES_*.csv"):
        frame = pd.read_csv(path, dtype=str)
        for code, name in names.items():
            frame.loc[frame.PCN_ODS_CODE == code, "PCN_NAME"] = name
            frame.loc[frame.PCN_ODS_CODE == code, "PRACTICE_NAME"] = f"Practice {name}"
        frame.loc[frame.ICB_ODS_CODE == "QZB", "ICB_NAME"] = f"ICB [x](http://{canary}/icb) <i>QZB</i>"
        frame.to_csv(path, index=False)
    staffing = folder / "staffing" / "mhp_staffing.csv"  # a file name is a name from the data too
    staffing.rename(staffing.with_name("www.evil.example __pwned__ staff.csv"))
    db = folder / "hostile.duckdb"
    store.build(folder, db)
    return db


#: Markup that would be live in Streamlit's markdown if not escaped (a backslash before it makes it literal).
LIVE_MARKDOWN = re.compile(r"(?<!\\)(\]\(|<a\b|<img\b|<span\b|<i>|<b>|:red\[|\*\*bold|`code`|__pwned|www\.evil)")
#: Markup plotly would draw (its HTML subset), unescaped.
LIVE_PLOTLY = re.compile(r"<a\b|<img\b|<span\b|<i>QZB|<b>Epsilon|<br>\$x")


def _texts(at) -> list[str]:
    elements = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.info, *at.warning, *at.error,
                *at.success]
    return [e.value for e in elements if 'class="phm-tiles"' not in e.value]


def test_every_page_and_view_shows_hostile_names_as_text(hostile_db, canary, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", hostile_db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: hostile_db)
    shown_as_text = file_named = 0
    key = database.database_key(hostile_db)
    staffing = impact.staffing(database.connection(key))
    for page in PAGES:
        for pcn in ("U90001", "U90002", "U90005"):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
            at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": pcn})
            # Staffing loaded on the MHP impact page from a file with a hostile name: the name is shown as its source.
            at.session_state["_staffing"] = {key: (staffing, "www.evil.example __pwned__ [x](http://a.b) staff.csv")}
            at.run()
            if page != "app.py":
                at.switch_page(page).run()
            assert not at.exception, (page, at.exception)
            for view in each_view(at):
                for value in _texts(view):
                    assert not LIVE_MARKDOWN.search(value), (page, pcn, value)
                    shown_as_text += canary in value.replace("\\", "")
                    file_named += "pwned" in value
                for tiles in (m.value for m in view.markdown if 'class="phm-tiles"' in m.value):
                    assert not re.search(r"<(a|img|span)\b", tiles), (page, tiles)
                for radio in view.radio:
                    for option in radio.options:
                        assert not LIVE_MARKDOWN.search(option), (page, option)
                for chart in view.get("plotly_chart"):
                    spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)  # "<" as sent: \u003c
                    assert not LIVE_PLOTLY.search(spec), (page, pcn, LIVE_PLOTLY.search(spec))
    assert shown_as_text and file_named  # the names (and the staffing file's) are on the pages, as text
    assert _Canary.seen == []


def test_the_helpers_escape_every_markup():
    for name in hostile_names("127.0.0.1:1").values():
        assert not LIVE_MARKDOWN.search(text.markdown(name))
        assert not LIVE_PLOTLY.search(text.chart(name))
    assert text.markdown("1. first") == "1\\. first" and text.markdown("- item") == "\\- item"
    assert text.markdown("see www.evil.example") == "see www\u2060.evil.example"  # a word joiner: no bare link
    assert text.markdown("http://x") == "http\u2060\\://x"
    assert text.markdown("a\u200bb\u202ec\n\nd") == "abc d"  # invisible controls gone, one line
    assert text.chart('<a href="x">y</a>') == "&lt;a href=&quot;x&quot;&gt;y&lt;/a&gt;"


pytestmark_browser = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                        reason="Debian's chromium is not installed")
BROWSER_PAGES = ["", "PCN_profile", "Compare_PCNs", "Data_and_methods", "Workforce_plan", "MHP_allocation",
                 "MHP_impact"]


@pytestmark_browser
def test_in_chromium_no_live_markup_and_no_request_leaves(hostile_db, canary, browser):
    _Canary.seen.clear()
    with streamlit_server(hostile_db) as url:
        own = url.removeprefix("http://")
        left: list[str] = []
        context = browser.new_context(viewport={"width": 1400, "height": 2000})

        def route(request_route):
            target = request_route.request.url
            if target.startswith(("data:", "blob:")) or target.split("/")[2] == own:
                request_route.continue_()
            else:
                left.append(target)
                request_route.abort()

        context.route("**/*", route)
        page = context.new_page()
        written = 0
        for path in BROWSER_PAGES:
            page.goto(f"{url}/{path}?period=2023-24&icb=QZB&pcn=U90005")
            wait_for_app(page)
            tabs = page.get_by_role("tab")
            for i in range(max(tabs.count(), 1)):
                if tabs.count():
                    tabs.nth(i).click()
                    page.wait_for_timeout(300)
                    wait_for_app(page)
                page.wait_for_timeout(500)
                found = page.evaluate(f"""() => ({{
                    links: [...document.querySelectorAll('a[href*="{canary}"], img[src*="{canary}"]')].length,
                    svgLinks: [...document.querySelectorAll('.main-svg a')].length,
                    big: [...document.querySelectorAll('[style*="font-size:40px"], [style*="font-size: 40px"]')].length,
                    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
                }})""")
                assert found == {"links": 0, "svgLinks": 0, "big": 0, "exceptions": 0}, (path, i, found)
                written += '<span style="font-size:40px">Gamma</span>' in page.inner_text("body")
        context.close()
    assert left == [] and _Canary.seen == [], (left, _Canary.seen)
    assert written  # the name is shown as written, markup and all, as text
