"""Loading your own extracts on the Data page, in Chromium: a good upload is checked, built and shown; a bad
upload afterwards changes nothing; "Switch back to the demo data" returns to the demo."""

import hashlib
import re
from pathlib import Path

import duckdb
import pytest
from browser import SCREENSHOTS, chromium, select_option, streamlit_server, wait_for_app
from conftest import ROOT

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
LEFT_OUT = ("1920", "2021.", "2122", "2019_2020", "2020_2021", "2021_2022", "apr-2020", "apr-2021", "apr-2022",
            "mh_referrals_records")  # our "own" data: two years, no referrals


def upload(page, files, chips: int | None = None) -> None:
    """Add ``files`` to the uploader, wait until it lists ``chips`` files (default: these), and press "Check and
    build"."""
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(f) for f in files])
    page.wait_for_function(f"document.querySelectorAll('[data-testid=\"stFileChipName\"]').length == "
                           f"{chips or len(files)}", timeout=30_000)
    wait_for_app(page)  # the upload reruns the page; a click during that rerun can be lost
    page.get_by_role("button", name="Check and build").click()


def period_options(page) -> list[str]:
    page.get_by_role("combobox", name="Financial year").first.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def test_upload_builds_and_shows_own_data_then_switches_back(demo_dir, demo_db, tmp_path):
    user_dir = tmp_path / "user"
    files = sorted(p for p in demo_dir.iterdir() if p.is_file() and p.suffix != ".md"
                   and not any(k in p.name for k in LEFT_OUT))
    with streamlit_server(demo_db, PHM_USER_DIR=str(user_dir)) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        page.goto(f"{url}/Data_and_methods")
        wait_for_app(page)
        assert period_options(page) == ["2023-24", "2022-23", "2021-22", "2020-21", "2019-20"]

        upload(page, files)
        page.get_by_text(re.compile("Built your database; it is now shown")).wait_for(timeout=120_000)
        wait_for_app(page)
        page.get_by_text("Showing your own data (uploaded in this browser session)").wait_for()
        assert period_options(page) == ["2023-24", "2022-23"]
        [user_db] = list(user_dir.glob("*.duckdb"))  # this session's own database
        con = duckdb.connect(str(user_db), read_only=True)
        assert sorted(r[0] for r in con.execute("SELECT file_name FROM sources").fetchall()) == [f.name for f in files]
        con.close()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "data_page_own_data.png"))

        # a bad upload now (the uploaded files with a broken register file among them) leaves the user's
        # database exactly as it was, and it stays on screen
        before = hashlib.sha256(user_db.read_bytes()).hexdigest()
        case = ROOT / "tests" / "malformed" / "03_negative_count"
        upload(page, [case / "PREVALENCE_2324.csv"], chips=len(files) + 1)
        page.get_by_text(re.compile("Nothing was changed")).wait_for(timeout=60_000)
        wait_for_app(page)
        assert hashlib.sha256(user_db.read_bytes()).hexdigest() == before
        page.get_by_text("Showing your own data (uploaded in this browser session)").wait_for()
        assert period_options(page) == ["2023-24", "2022-23"]

        # Another browser on the same server sees the demo, not this upload; its own upload (one year) is its
        # own, and this session still shows its two years.
        other = browser.new_context().new_page()
        other.goto(f"{url}/Data_and_methods?period=2023-24")
        wait_for_app(other)
        assert period_options(other) == ["2023-24", "2022-23", "2021-22", "2020-21", "2019-20"]
        assert other.get_by_text("Showing your own data").count() == 0
        upload(other, [f for f in files if "2223" not in f.name and "2022_2023" not in f.name
                       and "apr-2023" not in f.name])
        other.get_by_text(re.compile("Built your database; it is now shown")).wait_for(timeout=120_000)
        wait_for_app(other)
        assert period_options(other) == ["2023-24"]
        other.context.close()
        assert len(list(user_dir.glob("*.duckdb"))) == 2
        select_option(page, "Financial year", "2022-23")  # a rerun of this session
        wait_for_app(page)
        assert period_options(page) == ["2023-24", "2022-23"]

        page.get_by_role("button", name="Switch back to the demo data").click()
        page.get_by_text("Showing your own data").wait_for(state="detached")
        wait_for_app(page)
        assert period_options(page) == ["2023-24", "2022-23", "2021-22", "2020-21", "2019-20"]
