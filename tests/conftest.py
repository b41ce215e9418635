import shutil
from pathlib import Path

import pytest

from browser import chromium, streamlit_server

from phm_profile import demo, store

ROOT = Path(__file__).resolve().parent.parent

REAL = ROOT.parent / "shared" / "data" / "real"
REFERENCE = ROOT.parent / "shared" / "data" / "reference" / "phe_indicator_methods"

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real is not present")
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/data/reference is not present")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.write_demo(out, "icb", seed=2024)
    return out


@pytest.fixture(scope="session")
def demo_db(demo_dir, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("db") / "demo.duckdb"
    store.build(demo_dir, db)
    return db


@pytest.fixture
def demo_copy(demo_dir, tmp_path) -> Path:
    """A private copy of the demo extracts a test may spoil."""
    out = tmp_path / "extracts"
    shutil.copytree(demo_dir, out)
    return out


@pytest.fixture(scope="module")
def server(demo_db):
    """A Streamlit server on the demo database, for the browser tests of one module."""
    with streamlit_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium (Playwright), for the browser tests of one module."""
    with chromium() as b:
        yield b


def each_view(at):
    """Yield the page (an AppTest already run) once per view: the pages' tabs (ui.view) run and draw only the open
    view, so a test of everything a page shows walks through all of them."""
    labels = [tab.label for tab in at.tabs]
    yield at
    for label in labels[1:]:
        at.session_state["view"] = label
        at.run()
        assert not at.exception, (label, at.exception)
        yield at


def open_view(at, label: str):
    """The page with the view (tab) ``label`` open."""
    at.session_state["view"] = label
    return at.run()


def tiles(at) -> list:
    """The headline tiles (ui.tiles) of a page run by AppTest, in order, each with label, value, notes and help."""
    import html
    import re
    from types import SimpleNamespace

    found = []
    for block in (m.value for m in at.markdown if 'class="phm-tiles"' in m.value):
        for tile in re.findall(r'<div class="phm-tile" title="(.*?)">(.*?)</div></div>', block):
            help_text, body = tile
            label = re.search(r'<div class="phm-tile-label">(.*?)</div>', body).group(1)
            value = re.search(r'<div class="phm-tile-value">(.*?)</div>', body + "</div>").group(1)
            notes = re.findall(r'<div class="phm-tile-note">(.*?)(?:</div>|$)', body)
            found.append(SimpleNamespace(label=html.unescape(label), value=html.unescape(value),
                                         notes=[html.unescape(n) for n in notes], help=html.unescape(help_text)))
    return found
