"""The folder of malformed extracts (tests/malformed/, one case per sub-folder with EXPECTED.txt): each
gives a clear message naming file, row and column, through the command line and through the Data page,
and the data already loaded is unchanged afterwards."""

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import SCREENSHOTS, chromium, streamlit_server, wait_for_app
from conftest import ROOT

CASES = sorted(p for p in (ROOT / "tests" / "malformed").iterdir() if p.is_dir())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_there_are_at_least_20_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_command_line_names_the_problem_and_keeps_the_database(case, demo_db, tmp_path):
    db = tmp_path / "current.duckdb"
    shutil.copy(demo_db, db)
    before = digest(db)
    run = subprocess.run([sys.executable, "-m", "phm_profile", "build", "--data", str(case), "--db", str(db)],
                         capture_output=True, text=True, cwd=ROOT, env={
                                                                         "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    expected = (case / "EXPECTED.txt").read_text().strip()
    assert f"ERROR   {expected}" in run.stdout, run.stdout
    assert "was not changed" in run.stdout
    assert digest(db) == before


@pytest.fixture(scope="module")
def data_page(demo_db, tmp_path_factory):
    user_dir = tmp_path_factory.mktemp("user")
    with streamlit_server(demo_db, PHM_USER_DIR=str(user_dir)) as url, chromium() as browser:
        yield url, browser, user_dir


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_data_page_names_each_problem_and_keeps_the_data(data_page, demo_db):
    url, browser, user_dir = data_page
    before = digest(demo_db)
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    for case in CASES:
        page.goto(f"{url}/Data_and_methods")  # a new session: an empty uploader
        wait_for_app(page)
        expected = (case / "EXPECTED.txt").read_text().strip()
        files = sorted(p for p in case.iterdir() if p.name != "EXPECTED.txt")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(f) for f in files])
        chips = page.locator('[data-testid="stFileChipName"]')
        page.wait_for_function(f"document.querySelectorAll('[data-testid=\"stFileChipName\"]').length == {len(files)}",
                               timeout=20_000)
        assert chips.count() == len(files)
        page.get_by_role("button", name="Check and build").click()
        page.get_by_text(re.compile("Nothing was changed")).wait_for(timeout=60_000)
        wait_for_app(page)
        report = page.locator('[data-testid="stCode"]').first.inner_text()
        assert f"ERROR   {expected}" in report, (case.name, report)
        assert page.get_by_text("Showing your own data").count() == 0
        if case.name == CASES[0].name:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "data_page_validation_report.png"))
    assert not list(user_dir.glob("*.duckdb"))
    assert digest(demo_db) == before


#: What the publisher really publishes (tests/published/, one case per sub-folder with EXPECTED.txt): a code of a
#: shape the tool does not expect, a file that is no extract. Each is a warning naming file, row and column (the
#: code kept as published, the file skipped), never the reason a build is refused (issue 25).
PUBLISHED = sorted(p for p in (ROOT / "tests" / "published").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", PUBLISHED, ids=[c.name for c in PUBLISHED])
def test_what_the_publisher_publishes_is_a_warning(case, tmp_path):
    db = tmp_path / "quirk.duckdb"
    run = subprocess.run([sys.executable, "-m", "phm_profile", "build", "--data", str(case), "--db", str(db)],
                         capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    expected = (case / "EXPECTED.txt").read_text().strip()
    assert f"WARNING {expected}" in run.stdout, run.stdout
    assert not any(expected.split(":")[0] in line for line in run.stdout.splitlines() if line.startswith("ERROR")), \
        run.stdout
