"""Real England data end to end: the publisher's files in ../shared/data/real load as published (skipped when
absent), and the figures built from them equal the publisher's own."""

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REAL, needs_real

from phm_profile import store

pytestmark = needs_real

QOF_YEARS = {
    "2019-20": ("qof_raw/2019_20/PREVALENCE_1920.csv", "qof_raw/2019_20/MAPPING_NHS_GEOGRAPHIES_1920.csv"),
    "2022-23": ("qof_raw/2022_23/PREVALENCE_2223.csv", "qof_raw/2022_23/MAPPING_NHS_GEOGRAPHIES_2223.csv"),
}

#: England's registers and lists, as SOURCES.md states them (sums over every practice in the published file).
ENGLAND = {
    "2019-20": {"MH": (562_831, 60_407_685), "DEP": (5_565_443, 48_146_685)},
    "2022-23": {"MH": (621_898, 62_378_057), "DEP": (6_618_681, 49_953_136)},
}


def link(folder: Path, *relative: str) -> Path:
    """A folder holding the named real files, as published (symbolic links: the bytes are the publisher's)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in relative:
        (folder / Path(name).name).symlink_to(REAL / name)
    return folder


@pytest.fixture(scope="module", params=sorted(QOF_YEARS))
def qof_year(request, tmp_path_factory):
    period = request.param
    folder = link(tmp_path_factory.mktemp("qof"), *QOF_YEARS[period])
    db = folder.parent / "qof.duckdb"
    result = store.build(folder, db)
    return period, db, result


def test_each_real_qof_year_builds_from_the_two_published_files(qof_year):
    period, db, result = qof_year
    assert not result.report.errors
    # The special practice whose register is above its list: a warning naming file and row, not a refusal.
    above = [w for w in result.report.warnings if "is larger than the practice's" in w.message]
    assert above and above[0].file.startswith("PREVALENCE_") and above[0].row > 1
    assert any("in no PCN (code U)" in w.message for w in result.report.warnings)


def test_england_equals_the_publishers_figures(qof_year):
    period, db, _ = qof_year
    con = duckdb.connect(str(db), read_only=True)
    for group, (register, denominator) in ENGLAND[period].items():
        got = con.execute("SELECT register, denominator FROM area_prevalence WHERE level = 'england' AND period = ? "
                          "AND group_code = ?", [period, group]).fetchall()
        assert got == [(register, denominator)], group
    # England's registered list, practices in PCN U included.
    total = con.execute("SELECT list_size FROM area_list_size WHERE level = 'england' AND period = ? "
                        "AND list_type = 'TOTAL'", [period]).fetchall()[0][0]
    assert total == ENGLAND[period]["MH"][1]
    con.close()


def test_each_pcn_equals_the_sum_over_its_practices(qof_year):
    period, db, _ = qof_year
    prevalence_file, mapping_file = (REAL / f for f in QOF_YEARS[period])
    prevalence = pd.read_csv(prevalence_file)
    mapping = pd.read_csv(mapping_file)[["PRACTICE_CODE", "PCN_ODS_CODE", "ICB_ODS_CODE" if period > "2021" else "STP_ODS_CODE"]]
    mapping.columns = ["PRACTICE_CODE", "pcn", "icb"]
    size = "PRACTICE_LIST_SIZE" if "PRACTICE_LIST_SIZE" in prevalence else "PATIENT_LIST_SIZE"
    merged = prevalence.merge(mapping, on="PRACTICE_CODE", how="left")
    expected = (merged[merged["pcn"] != "U"].groupby(["pcn", "GROUP_CODE"])[["REGISTER", size]].sum()
                .astype("int64").reset_index())
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT area_code AS pcn, group_code AS GROUP_CODE, register, denominator FROM area_prevalence "
                      "WHERE level = 'pcn' AND period = ?", [period]).df()
    con.close()
    both = expected.merge(got, on=["pcn", "GROUP_CODE"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all()
    assert (both["REGISTER"] == both["register"]).all()
    assert (both[size] == both["denominator"]).all()
    # The ICB figures include the practices in no PCN (code U).
    icb = merged.groupby(["icb", "GROUP_CODE"])["REGISTER"].sum().astype("int64")
    con = duckdb.connect(str(db), read_only=True)
    got_icb = con.execute("SELECT area_code, group_code, register FROM area_prevalence WHERE level = 'icb' "
                          "AND period = ?", [period]).fetchall()
    con.close()
    assert {(a, g): r for a, g, r in got_icb} == icb.to_dict()


@pytest.fixture(scope="module")
def registrations_db(tmp_path_factory):
    """QOF 2022-23 with its mapping and the 2025 registrations (five months, every organisation level) with
    their practice map: years that do not line up, as users have them."""
    folder = link(tmp_path_factory.mktemp("registrations"), *QOF_YEARS["2022-23"],
                  "gp_registrations/gp-reg-pat-prac-quin-age_2025.parquet",
                  "gp_registrations/gp-reg-pat-prac-map_2025.parquet")
    db = folder.parent / "registrations.duckdb"
    return db, store.build(folder, db)


def test_registrations_with_several_levels_and_months_load(registrations_db):
    db, result = registrations_db
    assert not result.report.errors
    messages = [w.message for w in result.report.warnings]
    assert any("the publisher's totals for PCNs" in m for m in messages)
    # Which month stands for which year: the one nearest the year's end, said in a warning.
    assert any("for 2024-25: the extract of 01 Apr 2025 is used" in m for m in messages)
    assert any("for 2025-26: the extract of 01 Dec 2025 is used" in m for m in messages)
    assert any("no registrations by age and sex for 2022-23; the nearest year's, 01 Apr 2025" in m for m in messages)
    # The publisher's PCN, sub-ICB, ICB and region totals all agree with the sums of their practices.
    assert not any("differs from the sum of its practices" in m for m in messages)


def test_pcn_populations_equal_the_publishers_pcn_rows(registrations_db):
    db, _ = registrations_db
    published = duckdb.sql(
        "SELECT ORG_CODE AS pcn_code, NUMBER_OF_PATIENTS AS patients FROM read_parquet(?) WHERE ORG_TYPE = 'PCN' "
        "AND SEX = 'ALL' AND AGE_GROUP_5 = 'ALL' AND EXTRACT_DATE = '2025-04-01' AND ORG_CODE <> 'U'",
        params=[str(REAL / "gp_registrations/gp-reg-pat-prac-quin-age_2025.parquet")]).df()
    con = duckdb.connect(str(db), read_only=True)
    ours = con.execute("SELECT area_code AS pcn_code, sum(patients) AS ours FROM area_population "
                       "WHERE level = 'pcn' AND period = '2024-25' GROUP BY 1").df()
    england = con.execute("SELECT sum(patients) FROM area_population WHERE level = 'england' "
                          "AND period = '2024-25'").fetchall()[0][0]
    con.close()
    both = published.merge(ours, on="pcn_code", how="outer")
    assert len(both) > 1200 and (both["patients"] == both["ours"]).all()
    assert 63_000_000 < england < 64_500_000


def test_a_qof_year_uses_the_nearest_years_population(registrations_db):
    db, _ = registrations_db
    con = duckdb.connect(str(db), read_only=True)
    source = con.execute("SELECT source_period, extract_date::VARCHAR FROM population_source "
                         "WHERE period = '2022-23' AND dataset = 'patients_age_sex'").fetchall()
    indicators = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM pcn_profile WHERE period = '2022-23'").fetchall()}
    con.close()
    assert source == [("2024-25", "2025-04-01")]
    assert {"age_65_plus", "cmd_recorded_vs_expected", "smi_recorded_vs_expected", "prev_mh"} <= indicators
