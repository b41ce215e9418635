"""The PCN profile: hand-worked cases, the demo build, and the real published files."""

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REAL, ROOT, needs_real

from phm_profile import stats, store
from phm_profile.profile import PROFILE_COLUMNS


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text.strip() + "\n")


@pytest.fixture
def hand_db(tmp_path) -> duckdb.DuckDBPyConnection:
    """Two practices in PCN U00001 (one publishing its own 18+ list), one in U00002; two LSOAs."""
    d = tmp_path / "hand"
    d.mkdir()
    write(d, "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv", """
PRACTICE_CODE,PRACTICE_NAME,PCN_ODS_CODE,PCN_NAME,SUB_ICB_ODS_CODE,ICB_ODS_CODE,ICB_NAME,REGION_ODS_CODE
A00001,One,U00001,North PCN,00A,QAA,ICB A,Y56
A00002,Two,U00001,North PCN,00A,QAA,ICB A,Y56
A00003,Three,U00002,South PCN,00A,QAA,ICB A,Y56""")
    write(d, "QOF_LIST_SIZE_2324.csv", """
PRACTICE_CODE,TOTAL,18OV,65OV
A00001,1000,800,100
A00002,3000,2000,600
A00003,2000,1500,200""")
    # A00002 publishes its own list size with the register (2,100 18+ patients), which wins over 2,000.
    write(d, "PREVALENCE_2324.csv", """
PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PRACTICE_LIST_SIZE
A00001,DEP,80,18OV,
A00002,DEP,300,18OV,2100
A00003,DEP,150,18OV,
A00001,MH,10,TOTAL,
A00002,MH,20,TOTAL,
A00003,MH,30,TOTAL,""")
    write(d, "imd_2019.csv", """
LSOA_CODE,IMD_SCORE,IMD_DECILE
E01000001,40.0,1
E01000002,10.0,8""")
    write(d, "gp-reg-pat-prac-lsoa-all.csv", """
PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,NUMBER_OF_PATIENTS
GP,01APR2024,A00001,One,E01000001,ALL,750
GP,01APR2024,A00001,One,E01000002,ALL,250
GP,01APR2024,A00002,Two,E01000002,ALL,3000
GP,01APR2024,A00003,Three,E01000001,ALL,1000
GP,01APR2024,A00003,Three,NO2011,ALL,1000""")
    db = tmp_path / "hand.duckdb"
    store.build(d, db)
    return duckdb.connect(str(db), read_only=True)


def row(con, pcn, indicator):
    frame = con.execute("SELECT * FROM pcn_profile WHERE pcn_code = ? AND indicator = ?", [pcn, indicator]).df()
    assert len(frame) == 1
    return frame.iloc[0]


def test_pcn_aggregation_sums_registers_and_the_right_lists(hand_db):
    dep = row(hand_db, "U00001", "prev_dep")
    assert (dep.numerator, dep.denominator) == (380, 800 + 2100)  # 18+ lists; A00002's own list wins
    assert dep.value == pytest.approx(380 / 2900 * 100)
    mh = row(hand_db, "U00001", "prev_mh")
    assert (mh.numerator, mh.denominator) == (30, 4000)  # TOTAL lists
    assert row(hand_db, "U00001", "list_size").value == 4000
    # England: all three practices; ICB: the same here.
    assert dep.england_value == pytest.approx((80 + 300 + 150) / (800 + 2100 + 1500) * 100)
    lower, upper = stats.wilson_lower(380, 2900) * 100, stats.wilson_upper(380, 2900) * 100
    assert (dep.lower_95, dep.upper_95) == (pytest.approx(lower), pytest.approx(upper))


def test_population_weighted_imd_two_lsoas(hand_db):
    # U00001: A00001 750 patients at 40.0 and 250 at 10.0; A00002 3000 at 10.0.
    assert row(hand_db, "U00001", "imd_score").value == pytest.approx((750 * 40 + 3250 * 10) / 4000)
    # U00002: patients with no LSOA (NO2011) are left out of the weighting.
    assert row(hand_db, "U00002", "imd_score").value == pytest.approx(40.0)
    q1 = row(hand_db, "U00001", "imd_q1_share")
    assert (q1.numerator, q1.denominator) == (750, 4000)


@pytest.mark.parametrize("pcn, indicator, vs_england", [
    ("U00002", "prev_mh", "higher"),    # 30/2000 = 1.5% against 60/6000 = 1.0%: interval above
    ("U00001", "prev_mh", "similar"),   # 0.75%; the interval includes 1.0%
    ("U00001", "prev_dep", "similar"),  # 13.1% (95% CI 11.9-14.4) against 12.05%
    ("U00002", "prev_dep", "lower"),    # 10% against 12.0%
    ("U00001", "imd_score", "not compared"),
])
def test_significance_labels(hand_db, pcn, indicator, vs_england):
    assert row(hand_db, pcn, indicator).vs_england == vs_england


def test_profile_and_export_commands(demo_db, tmp_path):
    env_python = [sys.executable, "-m", "phm_profile"]
    out = tmp_path / "profile.csv"
    subprocess.run(env_python + ["export", "pcn_profile", "--db", str(demo_db), "--out", str(out)],
                   check=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    frame = pd.read_csv(out)
    assert list(frame.columns) == PROFILE_COLUMNS
    assert frame.pcn_code.nunique() >= 38 and set(frame.period) == {"2019-20", "2020-21", "2021-22", "2022-23", "2023-24"}
    assert set(frame.vs_england) <= {"higher", "similar", "lower", "not compared"}
    shown = subprocess.run(env_python + ["profile", "--db", str(demo_db), "--pcn", "U90001"], check=True,
                           cwd=ROOT, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True).stdout
    smi = frame[(frame.pcn_code == "U90001") & (frame.period == "2023-24") & (frame.indicator == "prev_mh")].iloc[0]
    label = duckdb.connect(str(demo_db), read_only=True).execute(
        "SELECT label FROM indicators WHERE indicator = 'prev_mh'").fetchall()[0][0]
    line = next(line for line in shown.splitlines() if line.startswith(label))
    assert line.split()[len(label.split()):] == [
        f"{smi.numerator:,.0f}", f"{smi.denominator:,.0f}", f"{smi.value:,.2f}", f"{smi.lower_95:,.2f}", "to",
        f"{smi.upper_95:,.2f}", f"{smi.icb_value:,.2f}", f"{smi.england_value:,.2f}", smi.vs_icb, smi.vs_england]
    assert "2023-24" in shown.splitlines()[0] and "Mental health registers" in shown


def test_demo_prevalence_is_calibrated_to_national_rates(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    values = dict(con.execute("SELECT indicator, any_value(england_value) FROM pcn_profile WHERE period = '2021-22' GROUP BY 1").fetchall())
    assert 0.8 < values["prev_mh"] < 1.3 and 11 < values["prev_dep"] < 15
    assert 0.5 < values["prev_dem"] < 1.0 and 0.4 < values["prev_ld"] < 0.8
    sizes = [r[0] for r in con.execute("SELECT value FROM pcn_profile WHERE indicator='list_size' AND period='2023-24'").fetchall()]
    assert max(sizes) > 100_000 and min(sizes) < 35_000 and 35 <= len(sizes) <= 45


def test_a_build_writes_row_groups_the_models_can_share_between_threads(demo_db):
    """A built database has row groups of store.ROW_GROUP_ROWS rows, not DuckDB's 122,880, so the models' tables
    of tens of thousands of rows are scanned on more than one thread (benchmarks/profile.py)."""
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute("SELECT count(*) FROM patients_lsoa").fetchall()[0][0]
    groups = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('patients_lsoa')").fetchall()[0][0]
    assert rows > store.ROW_GROUP_ROWS and groups == -(-rows // store.ROW_GROUP_ROWS)


def test_a_supplied_expected_rate_table_replaces_the_shipped_one(demo_copy, tmp_path):
    write(demo_copy, "local_expected_rates.csv", """
CONDITION,SEX,AGE_FROM,AGE_TO,EXPECTED_RATE,SOURCE
CMD,MALE,16,120,0.2,local survey
CMD,FEMALE,16,120,0.25,local survey
SMI,MALE,16,120,0.01,local survey
SMI,FEMALE,16,120,0.01,local survey""")
    result = store.build(demo_copy, tmp_path / "db.duckdb")
    assert any("used instead of the shipped table" in i.message for i in result.report.warnings)
    con = duckdb.connect(str(result.db_path), read_only=True)
    assert con.execute("SELECT count(*), min(source) FROM expected_prevalence").fetchall() == [(4, "local survey")]
    # Hand-worked: every band from 15-19 up overlaps 16-120, at 0.2 for men and 0.25 for women.
    expected, by_hand = con.execute("""
        SELECT p.denominator, (SELECT sum(patients * CASE sex WHEN 'MALE' THEN 0.2 ELSE 0.25 END) FROM pcn_population q
                               WHERE q.pcn_code = p.pcn_code AND q.period = p.period
                                 AND age_band NOT IN ('0_4', '5_9', '10_14'))
        FROM pcn_profile p WHERE p.indicator = 'cmd_recorded_vs_expected' AND p.pcn_code = 'U90001'
          AND p.period = '2023-24'""").fetchall()[0]
    assert expected == pytest.approx(float(by_hand), rel=1e-12)


def test_a_supplied_expected_rate_table_is_checked_row_by_row(demo_copy, tmp_path):
    write(demo_copy, "local_expected_rates.csv", """
CONDITION,SEX,AGE_FROM,AGE_TO,EXPECTED_RATE
CMD,MALE,16,24,0.091
DEPRESSION,MALE,25,34,0.1
CMD,MEN,25,34,0.1
CMD,FEMALE,16,24,9.1
CMD,FEMALE,40,30,0.1
CMD,MALE,20,29,0.1
SMI,MALE,16,22,0.01
SMI,MALE,23,120,0.01""")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, tmp_path / "db.duckdb")
    errors = {(i.file, i.row, i.column): i.message for i in failed.value.report.errors}
    file = "local_expected_rates.csv"
    assert "'DEPRESSION' is not a condition" in errors[(file, 3, "CONDITION")]
    assert "'MEN' is not MALE or FEMALE" in errors[(file, 4, "SEX")]
    assert "9.1 is more than 1" in errors[(file, 5, "EXPECTED_RATE")]
    assert "ends at 30 before it starts" in errors[(file, 6, "AGE_TO")]
    assert "ages 20-29 and ages 16-24" in errors[(file, 7, "AGE_FROM")] and "share ages" in errors[(file, 7, "AGE_FROM")]
    assert "split the band 20-24" in errors[(file, 9, "AGE_FROM")]
    assert len(errors) == 6 and not (tmp_path / "db.duckdb").exists()


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    """A database built from the real 2019-20 mapping, list sizes (QOF list types) and IMD decile lookup."""
    folder = tmp_path_factory.mktemp("real")
    shutil.copy(REAL / "qof_geographies" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.parquet", folder)
    shutil.copy(REAL / "qof_2019_20_commons_library" / "gp-by-age.csv", folder / "gp-by-age_2019_2020.csv")
    shutil.copy(REAL / "qof_2019_20_commons_library" / "lsoa_geog_lookup.csv", folder)
    db = folder / "real.duckdb"
    store.build(folder, db)
    return db


@needs_real
def test_real_files_pcn_list_sizes_equal_sums_over_member_practices(real_db):
    con = duckdb.connect(str(real_db), read_only=True)
    profile = con.execute("SELECT pcn_code, value FROM pcn_profile WHERE indicator = 'list_size'").df()
    mapping = pd.read_parquet(REAL / "qof_geographies" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.parquet")
    lists = pd.read_csv(REAL / "qof_2019_20_commons_library" / "gp-by-age.csv")
    expected = (mapping[mapping.PCN_ODS_CODE != "U"].merge(lists, on="PRACTICE_CODE")
                .groupby("PCN_ODS_CODE").TOTAL.sum())
    merged = profile.set_index("pcn_code").value.sort_index()
    assert len(merged) == len(expected) == 1250
    assert (merged.values == expected.sort_index().values).all()
    stockton = con.execute("SELECT value FROM pcn_profile WHERE pcn_code = 'U89141' AND indicator = 'list_size'").fetchall()[0][0]
    assert stockton == expected["U89141"]


@needs_real
def test_real_england_denominators_equal_the_publishers_national_lists(real_db):
    """England's denominator of every QOF register (the list of the register's list type, DEP: 18+) equals the
    national list published with the 2019-20 prevalence made from the same NHS Digital files (House of
    Commons Library; its regional lists sum to England's). This checks the register-to-list-type table for all
    21 registers. (No practice-level register file is in ../shared/data/real, so the registers themselves
    cannot be compared.)"""
    published = duckdb.sql(
        "SELECT group_code, sum(list) AS list FROM read_csv(?) GROUP BY group_code",
        params=[str(REAL / "qof_2019_20_commons_library" / "output_region_prevalence.csv")]).df()
    con = duckdb.connect(str(real_db), read_only=True)
    ours = con.execute("""
        SELECT r.group_code, r.list_type, l.list_size FROM qof_registers r
        JOIN area_list_size l ON l.list_type = r.list_type AND l.level = 'england' AND l.period = '2019-20'
    """).df()
    merged = published.merge(ours, on="group_code")
    assert len(merged) == len(published) == 21
    whole = merged[merged.list_type == "TOTAL"]
    assert len(whole) == 13 and (whole.list_size == whole.list.round()).all() and (whole.list_size == 60_442_552).all()
    # The file's other list types carry estimates with decimals for a few practices; the build rounds each.
    estimated = con.execute("SELECT count(*) FROM build_issues WHERE message LIKE '%not whole numbers%'").fetchall()
    assert estimated[0][0] >= 1
    assert ((merged.list_size - merged.list).abs() <= 5).all(), merged
    dep = merged.set_index("group_code").loc["DEP"]
    assert dep.list_type == "18OV" and round(dep.list) == 48_175_103


def test_an_expected_rate_table_with_an_age_gap_is_refused(demo_copy, tmp_path):
    # A gap (men 25-34 missing) would count those men as expecting no cases, inflating recorded-vs-expected.
    write(demo_copy, "local_expected_rates.csv", """
CONDITION,SEX,AGE_FROM,AGE_TO,EXPECTED_RATE
CMD,MALE,16,24,0.091
CMD,MALE,35,120,0.1
CMD,FEMALE,16,120,0.2
SMI,MALE,16,120,0.01
SMI,FEMALE,16,120,0.01""")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, tmp_path / "db.duckdb")
    [error] = failed.value.report.errors
    assert (error.file, error.row, error.column) == ("local_expected_rates.csv", 3, "AGE_FROM")
    assert "no range for ages 25-34" in error.message
