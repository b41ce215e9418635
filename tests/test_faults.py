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
