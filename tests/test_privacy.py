"""Privacy and safety: small-number suppression on every page and export, hostile strings in every input,
and 20 sessions at once."""

import base64
import csv
import hashlib
import io
import json
import multiprocessing
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor

import duckdb
import numpy as np
import pandas as pd
import pytest
import streamlit
from conftest import ROOT, each_view, tiles
from streamlit.testing.v1 import AppTest

from phm_profile import database, exports, own_data, store, suppression, views

PAGES = ["app.py", "pages/1_PCN_profile.py", "pages/2_Compare_PCNs.py", "pages/3_Data_and_methods.py",
         "pages/4_Workforce_plan.py", "pages/5_MHP_allocation.py", "pages/6_MHP_impact.py",
         "pages/7_MHPs_in_post.py"]
HOSTILE = ["'; DROP TABLE pcn_profile; --", "x' OR '1'='1", "U90001'); DELETE FROM sources; --", "\" OR 1=1 --"]


def test_count_rules_by_hand():
    assert np.isnan(suppression.round_count([1, 7])).all()
    assert suppression.round_count([0, 8, 12, 13, 1234]).tolist() == [0, 10, 10, 15, 1235]
    frame = pd.DataFrame({"sex": ["M"] * 3, "patients": [3, 40, 9]})
    shown = suppression.protect(frame, groups=["sex"], parts="patients")
    assert shown.patients.isna().tolist() == [True, False, True]  # 9 would reveal the 3 from a total


@pytest.fixture(scope="module")
def small_db(tmp_path_factory, demo_dir):
    """The demo with every practice's learning-disability register set to 1 in 2023-24, so PCN counts are small."""
    folder = tmp_path_factory.mktemp("small")
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    path = folder / "PREVALENCE_2324.csv"
    rows = list(csv.reader(path.open()))
    for row in rows[1:]:
        if row[1] == "LD":
            row[2] = "1"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    db = tmp_path_factory.mktemp("smalldb") / "small.duckdb"
    store.build(folder, db)
    return db


def small_pcn(db):
    con = duckdb.connect(str(db), read_only=True)
    return con.execute("SELECT pcn_code, icb_code FROM pcn_profile WHERE period = '2023-24' AND indicator = 'prev_ld' "
                       "AND numerator BETWEEN 1 AND 7 ORDER BY pcn_code LIMIT 1").fetchall()[0]


def _decoded(value):
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def small_counts(frame: pd.DataFrame) -> list:
    """Counts of 1-7 in the count columns of a frame (score rows are not counts), under their own names or the
    readable headers of a tidy export."""
    from phm_profile import exports

    frame = frame.rename(columns={exports.header(c): c for c in [*suppression.COUNTS, "kind", "value"]})
    found = []
    rows = frame[frame["kind"] != "score"] if "kind" in frame else frame
    for column in suppression.COUNTS:
        if column in rows:
            values = pd.to_numeric(rows[column], errors="coerce")
            found += values[(values >= 1) & (values <= 7)].tolist()
    if "kind" in rows and "value" in rows:
        values = pd.to_numeric(rows[rows["kind"] == "count"]["value"], errors="coerce")
        found += values[(values >= 1) & (values <= 7)].tolist()
    return found


def test_no_count_from_1_to_7_on_any_page_or_export(small_db, monkeypatch):
    pcn, icb = small_pcn(small_db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: small_db)
    exported = []
    original = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        data = data() if callable(data) else data  # a file made on the click
        exported.append((label, kwargs.get("file_name", args[0] if args else ""), data))
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update({"period": "2023-24", "icb": icb, "pcn": pcn, "indicator": "prev_ld", "y": "prev_ld"})
        at.run()
        if page != "app.py":
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        for toggle in at.toggle:  # tables shown on request, shown
            if toggle.key == "show_indicator_table":
                toggle.set_value(True).run()
        assert not at.exception, (page, at.exception)
        for shown in each_view(at):
            for table in shown.dataframe:
                assert small_counts(table.value) == [], (page, table.value)
            for chart in shown.get("plotly_chart"):
                for trace in _decoded(json.loads(chart.proto.spec)["data"]):
                    if trace.get("name") in ("Male", "Female"):
                        assert not [v for v in trace["x"] if v is not None and 1 <= abs(v) <= 7], page
    assert exported
    for label, name, data in exported:
        if str(name).endswith(".csv"):
            frame = pd.read_csv(io.BytesIO(data))
            assert small_counts(frame) == [], (name, frame)
        elif str(name).endswith(".xlsx"):
            for sheet in pd.read_excel(io.BytesIO(data), sheet_name=None, header=exports.XLSX_HEADER_ROW).values():
                if {"input", "value"} <= set(sheet):
                    sheet = sheet.set_index("input").T
                assert small_counts(sheet) == [], name
    # The figure itself is hidden, not just its count.
    profile = views.pcn_profile(str(small_db), pcn, "2023-24", True).set_index("indicator")
    assert np.isnan(profile.loc["prev_ld", "value"]) and profile.loc["prev_ld", "vs_england"] == "suppressed"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_in_every_input_change_nothing(hostile, demo_db, monkeypatch, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(demo_db.read_bytes())
    before = digest(db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: db)
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update({name: hostile for name in ("period", "icb", "pcn", "indicator", "x", "y")})
        at.run()
        if page != "app.py":
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    # Every view taking a user choice binds it: a hostile value simply matches nothing.
    d = str(db)
    assert views.pcn_profile(d, hostile, hostile, True).empty
    assert views.indicator_across_pcns(d, hostile, hostile, hostile, True).empty
    assert views.age_pyramid(d, hostile, hostile, True).empty
    assert views.trends(d, hostile, (hostile,), True).empty
    assert views.two_indicators(d, hostile, hostile, hostile, hostile, True).empty
    assert views.workforce_inputs(d, hostile, hostile, True).empty
    assert database.connection(d).execute("SELECT 1").fetchall() == [(1,)]  # the connection still works
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM pcn_profile").fetchall()[0][0] > 0
    con.close()
    assert digest(db) == before
    assert "/" not in own_data.safe_name(f"../../{hostile}.csv") and own_data.safe_name("../x/../a.csv") == "a.csv"


def _session(db: str, pcn: str, icb: str) -> tuple[str, bool, str, str]:
    """One user's session, in its own process (AppTest keeps one Streamlit runtime per process)."""
    from pathlib import Path

    import phm_profile.ui

    phm_profile.ui.database_path = lambda: Path(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["_suppress"] = False
    at.query_params.update({"period": "2023-24", "icb": icb, "pcn": pcn})
    at.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    smi = next((m.value for m in tiles(at) if m.label.startswith("SMI prevalence")), "")
    return pcn, bool(at.exception), at.title[0].value if at.title else "", smi


def test_twenty_sessions_at_once_each_render_their_own_pcn(demo_db, monkeypatch):
    # After an AppTest run, __main__ is the app script; spawned workers must not re-run it.
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)
    con = duckdb.connect(str(demo_db), read_only=True)
    pcns = con.execute("SELECT DISTINCT pcn_code, icb_code FROM pcn_profile WHERE period = '2023-24' "
                       "ORDER BY pcn_code LIMIT 20").fetchall()
    expected = dict(con.execute("SELECT pcn_code, value FROM pcn_profile WHERE period = '2023-24' "
                                "AND indicator = 'prev_mh'").fetchall())
    con.close()
    assert len(pcns) == 20
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=20, mp_context=context) as pool:
        futures = [pool.submit(_session, str(demo_db), pcn, icb) for pcn, icb in pcns]
        results = [f.result() for f in futures]
    assert sorted(r[0] for r in results) == sorted(p for p, _ in pcns)
    for pcn, failed, title, smi in results:
        assert not failed
        assert f"({pcn})" in title
        assert smi == f"{expected[pcn]:,.2f}"
