"""Real England data end to end: the publisher's files in ../shared/data/real load as published (skipped when
absent), and the figures built from them equal the publisher's own."""

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REAL, needs_real, tiles

from phm_profile import database, store

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
    # under that year's own mapping (the pages show every year on today's: issue 25)
    ours = con.execute("SELECT m.own_pcn_code AS pcn_code, sum(p.patients) AS ours FROM practice_population p "
                       "JOIN practice_pcn m USING (period, practice_code) WHERE p.period = '2024-25' "
                       "AND m.own_pcn_code IS NOT NULL GROUP BY 1").df()
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


#: Every real extract the product reads: QOF 2022-23 with its mapping, ePCN, epraccur, IMD File 1, the 2025
#: registrations with their practice map, practice locations, the England LSOA boundaries, Talking Therapies
#: (annual and monthly) and the MHSDS four-week waits.
FULL_SET = (
    *QOF_YEARS["2022-23"], "ods/2023_02/ePCN.xlsx", "ods/2023_02/epraccur.csv",
    "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
    "gp_registrations/gp-reg-pat-prac-quin-age_2025.parquet", "gp_registrations/gp-reg-pat-prac-map_2025.parquet",
    "qof_geographies/practice_coordinates_2023_2024.parquet", "lsoa2011_boundaries/lsoa11_bsc_england_geographr.parquet",
    "talking_therapies/nhstt_measures_annual_2017_2025.parquet", "talking_therapies/england_sicb_iapt_healthyr.csv",
    "mhsds/MHSDS_Data_4WW_SepPerf_2024.csv",
)


@pytest.fixture(scope="session")
def real_db(tmp_path_factory):
    folder = link(tmp_path_factory.mktemp("full_real"), *FULL_SET)
    db = folder.parent / "real.duckdb"
    return db, store.build(folder, db)


def test_the_full_real_build_succeeds_with_warnings_only(real_db):
    db, result = real_db
    assert not result.report.errors
    assert {f.path.name for f in result.files} == {Path(p).name for p in FULL_SET}
    said = "\n".join(str(w) for w in result.report.warnings)
    assert "ePCN.xlsx: its name gives no financial year: it is taken as 2022-23" in said
    assert "both map practices to PCNs for 2022-23; one is used" in said
    assert "epraccur.csv: this ODS practice list carries no date" in said
    assert "are closed (status C) or dormant (D) in the ODS list" in said
    assert "invalid polygons (such as E01019828) were repaired" in said
    assert "deprivation is that of each practice's own LSOA (from its location)" in said


def test_real_practice_list_flags_closed_and_non_gp_practices(real_db):
    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    rows, active_gp = con.execute("SELECT count(*), count(*) FILTER (WHERE status = 'A' AND setting = '4') "
                                  "FROM practices").fetchall()[0]
    # SOURCES.md: 15,536 rows, 6,859 active GP practices; A81001 is The Densham Surgery, active.
    assert (rows, active_gp) == (15_536, 6_859)
    assert con.execute("SELECT practice_name, status, setting FROM practices WHERE practice_code = 'A81001'"
                       ).fetchall() == [("THE DENSHAM SURGERY", "A", "4")]
    con.close()


def test_real_imd_file_1_gives_ranks_and_the_deprivation_says_so(real_db):
    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    lsoas, scores, deciles = con.execute("SELECT count(*), count(imd_score), count(DISTINCT imd_decile) FROM imd").fetchall()[0]
    assert (lsoas, scores, deciles) == (32_844, 0, 10)
    indicators = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM pcn_profile WHERE period = '2022-23' "
                                            "AND indicator LIKE 'imd%'").fetchall()}
    assert indicators == {"imd_rank", "imd_q1_share"}
    # The most deprived fifth of LSOAs holds about a fifth of the practices' patients, placed by location.
    share = con.execute("SELECT q1_patients / patients FROM area_deprivation WHERE level = 'england' "
                        "AND period = '2022-23'").fetchall()[0][0]
    located = con.execute("SELECT count(*) FROM practice_lsoa").fetchall()[0][0]
    con.close()
    assert 0.18 < share < 0.30 and located > 6_200


def test_real_imd_file_1_parquet_loads_like_the_workbook(tmp_path):
    from phm_profile.config import SQL_DIR
    from phm_profile.readers import Report, load_file

    con = duckdb.connect()
    con.execute((SQL_DIR / "sources.sql").read_text())
    report = Report()
    loaded = load_file(con, REAL / "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation_IMD2019.parquet", report)
    assert loaded.kind == "imd" and loaded.rows == 32_844 and not report.errors
    assert con.execute("SELECT imd_rank, imd_decile FROM imd WHERE lsoa_code = 'E01015736'").fetchall()[0][1] == 1


def test_real_context_measures_are_named_by_level(real_db):
    from phm_profile import views

    db, _ = real_db
    frame = views.context_measures(str(db), "QE1", "U01901", "2022-23", suppress=True)
    levels = set(frame["Level"])
    assert "ICB QE1" in levels and any(level.startswith("Sub-ICB location E38") for level in levels)
    assert set(frame["Source"]) == {"MHSDS", "NHS Talking Therapies (annual)", "NHS Talking Therapies (monthly)"}
    recovery = frame[(frame["Source"] == "NHS Talking Therapies (annual)") & (frame["Measure"] == "Recovery (%)")]
    assert len(recovery) == 1 and recovery["Period"].iloc[0] == "Apr 2024 to Mar 2025"
    assert 30 < recovery["Value"].iloc[0] < 70 and 30 < recovery["England"].iloc[0] < 70
    gradient = views.talking_therapies_by_deprivation(str(db), "QE1")
    assert set(gradient["area"]) == {"ICB QE1", "England"} and sorted(set(gradient["imd_decile"])) == list(range(1, 11))
    # As published for 2024-25: QE1's recovery 44% in its most deprived decile (publisher's "10 Most deprived")
    # and 54% in its least deprived ("01 Least deprived").
    qe1 = gradient[gradient["area"] == "ICB QE1"].set_index("imd_decile")["recovery"]
    assert (qe1[1], qe1[10]) == (44, 54) and gradient["period"].iloc[0] == "Apr 2024 to Mar 2025"
    counts = frame[frame["Unit"] == "count"]["Value"].dropna()
    assert ((counts % 5 == 0) & ~counts.between(1, 7)).all()  # suppression: counts rounded to 5


PAGES = ("pages/1_PCN_profile.py", "pages/2_Compare_PCNs.py", "pages/3_Data_and_methods.py", "pages/6_MHP_impact.py",
         "pages/4_Workforce_plan.py", "pages/5_MHP_allocation.py", "pages/7_MHPs_in_post.py")


def each_page(db, monkeypatch, suppress: bool, timeout: int = 120):
    """The home page and every page of the app on the database ``db`` in AppTest, each checked to render without
    an exception or an error: (page, the AppTest) for each."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: db)
    for page in (None, *PAGES):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.session_state["_suppress"] = suppress
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        yield page, at


def test_every_page_renders_on_the_real_build(real_db, monkeypatch):
    from conftest import each_view

    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    for page, at in each_page(db, monkeypatch, suppress=False):
        period = at.sidebar.selectbox(key="sidebar_period").value
        assert period == "2022-23"  # the latest year with QOF registers, not the registrations' later months
        if page == "pages/1_PCN_profile.py":
            pcn = at.sidebar.selectbox(key="sidebar_pcn").value
            smi = next(m for m in tiles(at) if m.label.startswith("SMI prevalence"))
            expected = con.execute("SELECT value FROM pcn_profile WHERE pcn_code = ? AND period = ? "
                                   "AND indicator = 'prev_mh'", [pcn, period]).fetchall()[0][0]
            assert smi.value == f"{expected:,.2f}"
            tables, captions = [], []
            for view in each_view(at):
                assert not view.error, [e.value for e in view.error]
                tables += [str(t.value) for t in view.dataframe]
                captions += [c.value for c in view.caption]
            assert any("Sub-ICB location" in t for t in tables)
            assert any("placed in the LSOA of the practice itself" in c for c in captions)
        if page == "pages/6_MHP_impact.py":  # no staffing file and no referral records: every view says so
            said = []
            for view in each_view(at):
                assert not view.error, [e.value for e in view.error]
                said += [i.value for i in view.info]
            assert any("No referral records are loaded" in s for s in said)
        if page == "pages/3_Data_and_methods.py":
            years = next(t.value for t in at.dataframe if "Deprivation by" in t.value.columns)
            row = years[years["Year"] == "2022-23"].iloc[0]
            assert row["Registrations by age and sex used"] == "01 Apr 2025 (nearest year, 2024-25)"
            assert row["Deprivation by"] == "practice location" and row["Map areas by"] == "nearest practice"
    con.close()


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_pcn_profile_on_real_data_in_chromium(real_db):
    from browser import SCREENSHOTS, chromium, streamlit_server, wait_for_app

    db, _ = real_db
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(db) as url, chromium() as browser:
        for width, name in ((1440, "real_pcn_profile.png"), (390, "real_pcn_profile_phone.png")):
            page = browser.new_page(viewport={"width": width, "height": 1800})
            page.goto(f"{url}/PCN_profile?period=2022-23&icb=QE1&pcn=U01901&view=Services")
            wait_for_app(page)
            page.get_by_role("heading", name=re.compile("Chorley Central PCN", re.I)).first.wait_for(timeout=30_000)
            page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
            assert page.get_by_text("Service context").count() >= 1
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
            page.close()
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        page.goto(f"{url}/?period=2022-23&icb=QE1&indicator=prev_mh")
        wait_for_app(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] canvas, [data-testid="stPlotlyChart"] .main-svg',
                               timeout=30_000)
        assert page.get_by_text("the PCN of the practice nearest to it").count() == 1
        page.screenshot(path=str(SCREENSHOTS / "real_overview_map.png"), full_page=True)


@pytest.mark.parametrize("name, period", [
    ("PREVALENCE_2021_v2.csv", "2020-21"), ("PREVALENCE_2122_V2.csv", "2021-22"), ("PREVALENCE_2324.csv", "2023-24"),
    ("PREVALENCE_1819_v2.csv", "2018-19"), ("MAPPING_NHS_GEOGRAPHIES_2022_2023.parquet", "2022-23"),
    ("MAPPING_NHS_GEOGRAPHIES_1920.csv", "2019-20"),
])
def test_the_publishers_file_names_give_the_year(name, period):
    from phm_profile.readers.checks import period_from_name

    assert period_from_name(name) == period


def test_an_older_layout_with_indicator_group_code_loads(tmp_path):
    # Up to 2018-19 the register column was INDICATOR_GROUP_CODE (SOURCES.md); the 2019-20 rows under that
    # header, named as the publisher named 2018-19's file, with the nearest year's mapping.
    folder = tmp_path / "older"
    folder.mkdir()
    lines = (REAL / "qof_raw/2019_20/PREVALENCE_1920.csv").read_text().splitlines()
    assert lines[0] == "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE"
    (folder / "PREVALENCE_1819_v2.csv").write_text("\n".join(["PRACTICE_CODE,INDICATOR_GROUP_CODE,REGISTER,"
                                                              "PATIENT_LIST_TYPE,PATIENT_LIST_SIZE", *lines[1:]]) + "\n")
    (folder / "MAPPING_NHS_GEOGRAPHIES_1920.csv").symlink_to(REAL / "qof_raw/2019_20/MAPPING_NHS_GEOGRAPHIES_1920.csv")
    result = store.build(folder, tmp_path / "older.duckdb")
    assert any("no practice-to-PCN mapping was loaded for 2018-19" in w.message for w in result.report.warnings)
    con = duckdb.connect(str(tmp_path / "older.duckdb"), read_only=True)
    assert con.execute("SELECT register, denominator FROM area_prevalence WHERE level = 'england' AND "
                       "period = '2018-19' AND group_code = 'MH'").fetchall() == [ENGLAND["2019-20"]["MH"]]
    con.close()


def test_trends_use_the_real_years_loaded(tmp_path):
    from phm_profile import views

    folder = link(tmp_path / "years", *QOF_YEARS["2019-20"], *QOF_YEARS["2022-23"])
    result = store.build(folder, tmp_path / "years.duckdb")
    assert not result.report.errors
    con = duckdb.connect(str(tmp_path / "years.duckdb"), read_only=True)
    registers = dict(con.execute("SELECT period, list(DISTINCT group_code) FROM area_prevalence "
                                 "WHERE level = 'england' GROUP BY 1").fetchall())
    con.close()
    # Registers that change across years: CVDPP in 2019-20 only, NDH from 2020-21.
    assert "CVDPP" in registers["2019-20"] and "NDH" not in registers["2019-20"]
    assert "NDH" in registers["2022-23"] and "CVDPP" not in registers["2022-23"]
    trend = views.trends(str(tmp_path / "years.duckdb"), "U89141", ("prev_mh", "prev_dep"), False)
    assert sorted(trend["period"].unique()) == ["2019-20", "2022-23"]
    assert views.periods(str(tmp_path / "years.duckdb")) == ["2022-23", "2019-20"]
    # A register with no data in a year is not offered for it.
    offered = {y: set(views.indicator_choices(str(tmp_path / "years.duckdb"), y).indicator) for y in registers}
    assert "prev_cvdpp" in offered["2019-20"] and "prev_cvdpp" not in offered["2022-23"]
    assert "prev_ndh" in offered["2022-23"] and "prev_ndh" not in offered["2019-20"]


def test_the_publishers_original_layouts_of_derived_files_load(tmp_path, real_db):
    """SOURCES.md: the 2025 registrations were converted to Parquet with ISO dates, and Talking Therapies came
    derived; the publishers' own CSV layouts (dates like 01Mar2025; the monthly activity file) load too."""
    db, _ = real_db
    folder = link(tmp_path / "original", *QOF_YEARS["2022-23"])
    duckdb.sql(f"""
        COPY (SELECT PUBLICATION, strftime(EXTRACT_DATE::DATE, '%d%b%Y') AS EXTRACT_DATE, ORG_TYPE, ORG_CODE,
                     ONS_CODE, POSTCODE, SEX, AGE_GROUP_5, NUMBER_OF_PATIENTS
              FROM read_parquet('{REAL / "gp_registrations/gp-reg-pat-prac-quin-age_2025.parquet"}')
              WHERE EXTRACT_DATE = '2025-04-01')
        TO '{folder / "gp-reg-pat-prac-quin-age.csv"}' (HEADER)""")
    assert (folder / "gp-reg-pat-prac-quin-age.csv").read_text().splitlines()[1].split(",")[1] == "01Apr2025"
    (folder / "nhstalkingtherapies_month_sep_2025_activity_performance.csv").write_text(
        "GROUP_TYPE,ORG_CODE1,ORG_CODE2,ORG_NAME1,ORG_NAME2,MEASURE_ID,MEASURE_NAME,MEASURE_VALUE_SUPPRESSED,"
        "REPORTING_PERIOD_START,REPORTING_PERIOD_END\n"
        "England,ENG,,England,,M051,Count_FinishedCourseTreatment,61000,2025-09-01,2025-09-30\n"
        "ICB,QE1,,NHS Lancashire and South Cumbria ICB,,M051,Count_FinishedCourseTreatment,1900,2025-09-01,2025-09-30\n"
        "SubICB,00R,,NHS Lancashire and South Cumbria ICB - 00R,,M051,Count_FinishedCourseTreatment,*,2025-09-01,2025-09-30\n"
        "Provider,RW5,,Lancashire and South Cumbria NHS FT,,M051,Count_FinishedCourseTreatment,1500,2025-09-01,2025-09-30\n")
    (folder / "nhstalkingtherapies_quarterly_q2_2025.csv").write_text(
        "REPORTING_PERIOD_START,REPORTING_PERIOD_END,ICB,ICBName,SubICB,SubICBName,Provider,ProviderName,GroupType,"
        "VariableType,VariableA,VariableB,MEASURE_ID,MEASURE_NAME,MEASURE_VALUE_SUPPRESSED\n"
        "2025-07-01,2025-09-30,QE1,NHS Lancashire and South Cumbria ICB,,,,,ICB,Total,Total,,M999,Percentage_Recovery,48\n"
        "2025-07-01,2025-09-30,QE1,NHS Lancashire and South Cumbria ICB,00R,Blackpool,,,SubICB,Total,Total,,M999,Percentage_Recovery,41\n"
        "2025-07-01,2025-09-30,QE1,NHS Lancashire and South Cumbria ICB,00R,Blackpool,RXL,A Trust,Provider,Total,Total,,M999,Percentage_Recovery,40\n"
        "2025-07-01,2025-09-30,QE1,NHS Lancashire and South Cumbria ICB,,,,,ICB,Age,18-25,,M999,Percentage_Recovery,39\n")
    result = store.build(folder, tmp_path / "original.duckdb")
    assert not result.report.errors
    con = duckdb.connect(str(tmp_path / "original.duckdb"), read_only=True)
    ours = con.execute("SELECT sum(patients) FROM area_population WHERE level = 'england' AND period = '2024-25'"
                       ).fetchall()[0][0]
    context = con.execute("SELECT level, org_code, value FROM context_measures WHERE source LIKE '%(monthly)' "
                          "ORDER BY 1").fetchall()
    quarterly = con.execute("SELECT level, org_code, unit, value FROM context_measures WHERE source LIKE "
                            "'%(quarterly)' ORDER BY 1").fetchall()
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    assert ours == con.execute("SELECT sum(patients) FROM area_population WHERE level = 'england' "
                               "AND period = '2024-25'").fetchall()[0][0]
    con.close()
    assert context == [("england", "ENGLAND", 61000.0), ("icb", "QE1", 1900.0), ("sub_icb", "00R", None)]
    assert quarterly == [("icb", "QE1", "%", 48.0), ("sub_icb", "00R", "%", 41.0)]


def test_a_pcn_in_two_icbs_is_shown_under_the_one_with_most_of_its_list(real_db):
    from phm_profile import views

    db, result = real_db
    said = [w.message for w in result.report.warnings]
    assert any(m.startswith("PCN U01096 has practices in 2 ICBs in 2025-26 (QM7: ") and "shown under QM7" in m
               for m in said)  # one warning per PCN (every year is on today's geography), the first five named
    key = database.database_key(db)
    assert "U41591" in set(views.pcns(key, "2022-23", "QJK").pcn_code)
    assert "U41591" not in set(views.pcns(key, "2022-23", "QT6").pcn_code)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT icb_code) FROM pcn_profile WHERE pcn_code = 'U41591' "
                       "AND period = '2022-23' AND indicator = 'prev_mh'").fetchall() == [(1, 1)]
    con.close()


def test_area_search_finds_a_pcn_by_a_practice_postcode_district_on_the_real_build(real_db):
    from phm_profile import database, queries

    db, _ = real_db
    con = database.connection(str(db))
    practice, postcode, pcn = con.execute("""
        SELECT m.practice_code, o.postcode, m.pcn_code FROM practice_pcn m JOIN practices o USING (practice_code)
        WHERE m.period = '2022-23' AND m.pcn_code IS NOT NULL AND o.postcode LIKE '% %'
        ORDER BY m.practice_code LIMIT 1""").fetchall()[0]
    district = postcode.split()[0]
    found = queries.find_areas(con, "2022-23", district.lower())
    assert pcn in set(found.pcn_code)
    assert f"postcode {postcode.upper()} (practice {practice})" in found.set_index("pcn_code").loc[pcn, "found_by"]
    by_name = queries.find_areas(con, "2022-23", "chorley")
    assert "U01901" in set(by_name.pcn_code)  # Chorley Central PCN, by its name


def test_inequality_by_practice_deprivation_on_the_real_build(real_db, monkeypatch):
    """SMI prevalence by practice IMD quintile in QE1 and England from the published files: every practice with a
    deprivation score in one quintile, the slope index finite, and the Compare page's view drawn."""
    from conftest import ROOT, open_view
    from streamlit.testing.v1 import AppTest

    from phm_profile import queries

    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    quintiles, sii = queries.inequality(con, "QE1", "2022-23", "prev_mh", False)
    register = con.execute(
        "SELECT sum(register) FROM practice_prevalence p JOIN practice_pcn m USING (period, practice_code) "
        "JOIN practice_deprivation d USING (period, practice_code) WHERE period = '2022-23' AND group_code = 'MH' "
        "AND p.denominator > 0 AND d.ranked_patients > 0").fetchall()[0][0]
    england = quintiles[quintiles.area == "England"]
    assert england.quintile.tolist() == [1, 2, 3, 4, 5]
    assert england.numerator.sum() == register
    assert sii.sii.notna().all() and (sii.lower_95 < sii.sii).all() and (sii.sii < sii.upper_95).all()
    con.close()
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"period": "2022-23", "icb": "QE1", "indicator": "prev_mh"})
    at.run()
    at.switch_page("pages/2_Compare_PCNs.py").run()
    at = open_view(at, "Inequality")
    assert not at.exception and not at.error
    assert at.get("plotly_chart") and any("slope index of inequality" in m.value for m in at.markdown)


def test_overview_grid_of_england_on_the_real_build(real_db):
    """Every PCN of England against every indicator with a value in 2022-23, from the published files: one cell per
    PCN and indicator, coloured as the profile compares it, the PCN code U as published kept out of no row."""
    from phm_profile import charts, queries

    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    grid = queries.overview_grid(con, "2022-23", None, True)
    pcns = con.execute("SELECT count(DISTINCT pcn_code) FROM pcn_profile WHERE period = '2022-23'").fetchall()[0][0]
    assert grid.pcn_code.nunique() == pcns > 1000
    figure = charts.overview_grid(grid, "England", "prev_mh", True)
    heatmap = figure.data[0]
    assert len(heatmap.y) == pcns and len(heatmap.x) == grid.indicator.nunique()
    top = grid[grid.indicator == "prev_mh"].sort_values("value", ascending=False).iloc[0]
    assert heatmap.y[0] == top.pcn_name and heatmap.text[0][list(heatmap.x).index(top.short_label)].startswith(
        f"{top.value:,.2f}")
    con.close()


def test_similar_pcns_on_the_real_build(real_db):
    """Chorley Central's 10 nearest PCNs in England from the published files (IMD ranks, as the file has no
    scores), nearest first, from several ICBs; the league and funnel of the 11 drawn from their counts."""
    from phm_profile import charts, queries

    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    similar = queries.similar_pcns(con, "2022-23", "U01901", True)
    assert len(similar) == 10 and "U01901" not in set(similar.pcn_code)
    assert similar.distance.is_monotonic_increasing and similar.icb_code.nunique() > 1
    codes = tuple(sorted(["U01901", *similar.pcn_code]))
    league = queries.indicator_across_pcns(con, "QE1", "2022-23", "prev_mh", True, codes)
    assert set(league.pcn_code) == set(codes) and league.icb_value.nunique() == 1
    assert charts.funnel_plot(league, queries.funnel_limits(con, "QE1", "2022-23", "prev_mh", True, codes), "U01901",
                              "SMI (%)", "similar PCNs").data
    con.close()


def test_recent_trends_on_the_real_build_say_why_they_cannot_be_tested(real_db):
    """The real build holds one QOF year (2022-23): no trend can be tested, and the words say how many years
    are loaded and that five are needed."""
    from phm_profile import queries, wording

    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    trends = queries.recent_trends(con, "U01901", "2022-23", True)
    registers = trends[trends.indicator.isin(["prev_mh", "prev_dem", "prev_ld"])]
    assert set(registers.trend) == {"could not be calculated"} and set(registers.points) == {1}
    said = wording.trend_sentences(registers, queries.indicator_labels(con, short=True))
    assert all("1 yearly point loaded (2022-23); the test needs five" in s for s in said)
    con.close()


@needs_real
def test_least_squares_on_the_real_build_recovers_no_suppressed_register(real_db):
    from phm_profile import queries, suppression

    """The real 2022-23 build: the learning-disability register of every PCN from the funnel baselines of every
    ICB (the attack found the system full rank and every exact register, the suppressed 2, 2 and 3 included)."""
    db, _ = real_db
    con = duckdb.connect(str(db), read_only=True)
    period = "2022-23"
    exact = con.execute("SELECT pcn_code, icb_code, numerator FROM pcn_profile WHERE period = ? "
                        "AND indicator = 'prev_ld'", [period]).df()
    small = exact[(exact.numerator >= 1) & (exact.numerator < suppression.SMALLEST_SHOWN)]
    assert len(small)
    for icb in small.icb_code.unique():
        table = queries.indicator_across_pcns(con, icb, period, "prev_ld", True)
        limits = queries.funnel_limits(con, icb, period, "prev_ld", True)
        shown = table.dropna(subset=["numerator", "denominator"])
        baseline = limits[limits.line == "baseline"].y.iloc[0]
        assert baseline == round(shown.numerator.sum() / shown.denominator.sum() * 100, 2)
        for code in small[small.icb_code == icb].pcn_code:
            assert table.loc[table.pcn_code == code, "numerator"].isna().all()


@needs_real
def test_the_july_2026_map_gives_the_36_icbs_of_2026(tmp_path):
    """Issue 25, first part: the registrations' practice map of July 2026 (unzipped from the publisher's zip) with QOF
    2024-25 builds, and its 36 ICBs, six with five-character ODS codes, are the ICBs offered; each PCN's 2024-25 SMI
    register and list are the sums over its practices under that map."""
    import zipfile

    from phm_profile import queries

    # the publisher's zip, read in place
    link(tmp_path / "data", "gp_registrations/2026_07/gp-reg-pat-prac-map.zip", "qof_raw/2024_25/PREVALENCE_2425.csv")
    result = store.build(tmp_path / "data", tmp_path / "2026.duckdb")
    assert not result.report.errors
    con = duckdb.connect(str(tmp_path / "2026.duckdb"), read_only=True)
    icbs = queries.icbs(con, "2024-25")
    assert len(icbs) == 36
    assert sorted(icbs.icb_code[icbs.icb_code.str.len() == 5]) == ["D7T5G", "S0E4D", "S1Y5D", "S9B9J", "T6Y0W",
                                                                    "Z9B2Z"]
    assert "QNQ" not in set(icbs.icb_code)  # Frimley is gone
    with zipfile.ZipFile(REAL / "gp_registrations" / "2026_07" / "gp-reg-pat-prac-map.zip") as z:
        mapping = pd.read_csv(z.open("gp-reg-pat-prac-map.csv"), dtype=str)
    qof = pd.read_csv(tmp_path / "data" / "PREVALENCE_2425.csv")
    mh = qof[qof.GROUP_CODE == "MH"].merge(mapping[["PRACTICE_CODE", "PCN_CODE"]], on="PRACTICE_CODE")
    expected = mh[mh.PCN_CODE != "U"].groupby("PCN_CODE")[["REGISTER", "PRACTICE_LIST_SIZE"]].sum()
    built = con.execute("SELECT pcn_code, numerator, denominator FROM pcn_profile WHERE period = '2024-25' "
                        "AND indicator = 'prev_mh'").df().set_index("pcn_code")
    both = expected.join(built, how="inner")
    assert len(both) == len(expected) > 1200
    assert (both.REGISTER == both.numerator).all() and (both.PRACTICE_LIST_SIZE == both.denominator).all()
    assert not [w for w in result.report.warnings if w.message.startswith("skipped")]
    con.close()


# Issue 25: England as published today. Every real file in ../shared, laid out in its sub-folders as it is (zips,
# .gz, guides and companion files included), builds with warnings only, on today's geography.

NEW_ICBS = ["D7T5G", "S0E4D", "S1Y5D", "S9B9J", "T6Y0W", "Z9B2Z"]


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    db = tmp_path_factory.mktemp("everything") / "everything.duckdb"
    return db, store.build(REAL, db)


def test_every_real_file_as_laid_out_builds_with_warnings_only(everything):
    db, result = everything
    assert not result.report.errors, result.report.text()
    used = {f.file_name for f in result.files}
    # zips read in place, their members named after the zip; .gz read in place
    assert "gp_registrations/2026_07/gp-reg-pat-prac-map.zip/gp-reg-pat-prac-map.csv" in used
    assert "gp_registrations/2026_07/gp-reg-pat-prac-quin-age.zip/gp-reg-pat-prac-quin-age.csv" in used
    assert "lsoa2021_boundaries/lsoa21_england_bsc_v4_4dp_geographr.geojson.gz" in used
    assert "qof_raw/2024_25/PREVALENCE_2425.csv" in used
    skipped = {w.file: w.message for w in result.report.warnings if w.message.startswith("skipped:")}
    zip_name = "pcn_workforce/2026_06/PCNWFIndividualCSV.062026.zip/"
    assert zip_name + "1.Primary Care Networks - June 2026 Individual Level.csv" in used  # read in place
    assert "definitions workbook" in skipped[zip_name + "0.Primary Care Network Individual-Level CSV overall definitions.xlsx"]
    assert "document" in skipped[zip_name + "0.Guide to using Pivot Tables with the Individual-level CSV.pdf"]
    assert "MAPPING_INDICATORS" in skipped["qof_raw/2022_23/MAPPING_INDICATORS_2022_2023.parquet"]
    assert "ORGANISATION_REFERENCE" in skipped["qof_raw/2019_20/ORGANISATION_REFERENCE_1920.csv"]
    assert "2011 to 2021 LSOAs" in skipped["lookups/LSOA11_LSOA21_LAD22_EW_LU.csv"]
    # every file is either used or said (skipped, or left out as a second copy of one mapping or index)
    said = {w.file for w in result.report.warnings}
    for path in REAL.rglob("*"):
        name = path.relative_to(REAL).as_posix()
        if path.is_file() and path.suffix not in (".zip",):
            assert name in used or name in said or name.endswith(".gz"), name


def test_every_year_is_on_todays_36_icbs(everything):
    from phm_profile import queries

    db, _ = everything
    con = duckdb.connect(str(db), read_only=True)
    periods = queries.periods(con)
    # the app opens on the latest QOF year; July 2026's registrations (2025-26) lend it their population
    assert periods[0] == "2024-25" and {"2019-20", "2022-23"} <= set(periods)
    today = set(queries.icbs(con, "2025-26").icb_code)
    assert len(today) == 36 and set(NEW_ICBS) <= today and "QNQ" not in today
    for period in ("2020-21", "2022-23", "2024-25"):
        icbs = set(queries.icbs(con, period).icb_code)
        assert icbs <= today and set(NEW_ICBS) <= icbs, period
    # each ICB's register is the sum of its PCNs' plus its practices in no PCN (as mapped today)
    check = con.execute("""
        WITH pcn AS (SELECT p.icb_code, sum(p.numerator) AS n FROM pcn_profile p
                     WHERE p.period = '2022-23' AND p.indicator = 'prev_mh' GROUP BY ALL),
        unallocated AS (SELECT m.icb_code, sum(q.register) AS n FROM practice_pcn m
                        JOIN qof_prevalence q USING (period, practice_code)
                        WHERE m.period = '2022-23' AND q.group_code = 'MH' AND m.pcn_code IS NULL GROUP BY ALL),
        icb AS (SELECT area_code AS icb_code, register AS n FROM area_prevalence
                WHERE level = 'icb' AND period = '2022-23' AND group_code = 'MH')
        SELECT count(*), count(*) FILTER (WHERE icb.n = coalesce(pcn.n, 0) + coalesce(u.n, 0))
        FROM icb LEFT JOIN pcn USING (icb_code) LEFT JOIN unallocated u USING (icb_code)
        WHERE icb_code NOT IN (SELECT unnest(icbs) FROM pcn_icb WHERE period = '2022-23' AND len(icbs) > 1)
        """).fetchall()[0]
    # (an ICB with a PCN whose practices sit in two ICBs is left out: the PCN is shown under one of them)
    assert check[0] >= 30 and check[1] == check[0]
    # England keeps every practice of the year, mapped today or not: the publisher's own total
    england = con.execute("SELECT register, denominator FROM area_prevalence WHERE level = 'england' AND "
                          "period = '2022-23' AND group_code = 'MH'").fetchall()[0]
    assert england == ENGLAND["2022-23"]["MH"]
    said = [w for w in _warnings(con) if w.startswith("every year is shown on today's geography")]
    assert said and "not in it (closed or merged)" in said[0]
    con.close()


def _warnings(con) -> list[str]:
    return [m for (m,) in con.execute("SELECT message FROM build_issues WHERE severity = 'warning'").fetchall()]


def test_imd_2025_by_practice_location_equals_an_independent_computation(everything):
    """2025-26 uses IMD 2025 (published October 2025, before the year ended), on 2021 LSOAs: each practice's 2021
    LSOA from its location, weighted by its registered patients (July 2026), summed to its PCN."""
    import gzip
    import zipfile

    import geopandas as gpd

    from phm_profile import queries

    db, _ = everything
    con = duckdb.connect(str(db), read_only=True)
    assert queries.deprivation_index(con, "2025-26") == "IMD 2025"
    assert queries.deprivation_index(con, "2024-25") == "IMD 2019"
    assert queries.deprivation_method(con, "2025-26") == ("practice location", True, "IMD 2025")
    with gzip.open(REAL / "lsoa2021_boundaries" / "lsoa21_england_bsc_v4_4dp_geographr.geojson.gz") as fh:
        lsoas = gpd.read_file(fh)
    points = pd.read_parquet(REAL / "qof_geographies" / "practice_coordinates_2023_2024.parquet")
    located = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.lon, points.lat, crs=4326)).sjoin(
        lsoas.to_crs(4326)[["LSOA21CD", "geometry"]], predicate="within").drop_duplicates("practice_code")
    imd = pd.read_csv(REAL / "imd2025" / "lsoa21_imd2025_score_rank_decile.csv")
    with zipfile.ZipFile(REAL / "gp_registrations" / "2026_07" / "gp-reg-pat-prac-quin-age.zip") as z:
        ages = pd.read_csv(z.open("gp-reg-pat-prac-quin-age.csv"), dtype={"NUMBER_OF_PATIENTS": float})
        mapping = pd.read_csv(zipfile.ZipFile(REAL / "gp_registrations" / "2026_07" / "gp-reg-pat-prac-map.zip").open(
            "gp-reg-pat-prac-map.csv"), dtype=str)
    ages = ages[(ages.ORG_TYPE == "GP") & (ages.SEX.isin(["MALE", "FEMALE"])) & (ages.AGE_GROUP_5 != "ALL")]
    patients = ages.groupby("ORG_CODE").NUMBER_OF_PATIENTS.sum().rename("patients")
    frame = (located[["practice_code", "LSOA21CD"]].merge(imd[["lsoa21cd", "IMD_score"]], left_on="LSOA21CD",
                                                            right_on="lsoa21cd")
             .merge(patients, left_on="practice_code", right_index=True)
             .merge(mapping[["PRACTICE_CODE", "PCN_CODE"]], left_on="practice_code", right_on="PRACTICE_CODE"))
    frame = frame[frame.PCN_CODE != "U"]
    expected = (frame.patients * frame.IMD_score).groupby(frame.PCN_CODE).sum() / frame.groupby("PCN_CODE").patients.sum()
    built = con.execute("SELECT pcn_code, value FROM pcn_profile WHERE period = '2025-26' AND indicator = 'imd_score'"
                        ).df().set_index("pcn_code").value
    both = pd.concat([expected.rename("expected"), built.rename("built")], axis=1, join="inner")
    assert len(both) > 1000
    assert (both.expected - both.built).abs().max() < 1e-9
    # scores of two editions are never in one trend: the PCN's deprivation trend holds only IMD 2025 years
    pcn = both.index[0]
    trend = queries.trends(con, pcn, ("imd_score",), False)
    assert list(trend.period) == ["2025-26"]
    con.close()


def test_every_page_and_view_renders_on_every_real_file(everything, monkeypatch):
    from conftest import each_view

    db, _ = everything
    for page, at in each_page(db, monkeypatch, suppress=True, timeout=180):
        assert at.sidebar.selectbox(key="sidebar_period").value == "2024-25"  # the newest QOF year first
        options = [str(o) for o in at.sidebar.selectbox(key="sidebar_icb").options]
        assert all(any(code in o for o in options) for code in NEW_ICBS), options
        if page == "pages/1_PCN_profile.py":
            captions, headers = [], []
            for view in each_view(at):
                assert not view.error, [e.value for e in view.error]
                captions += [c.value for c in view.caption]
                headers += [h.value for h in view.subheader]
            assert "Deprivation (IMD 2019 quintiles)" in headers  # 2024-25 ends before IMD 2025 was published
            assert any("practice-location proxy" in c and "Index: IMD 2019" in c for c in captions)
        if page == "pages/3_Data_and_methods.py":
            years = next(t.value for t in at.dataframe if "Deprivation by" in t.value.columns)
            row = years[years["Year"] == "2024-25"].iloc[0]
            assert row["Deprivation measure"].startswith("IMD 2019 rank")
            assert "published before the year ended" in row["Deprivation measure"]


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_every_real_file_in_chromium_under_a_2026_icb(everything):
    """The newest geography in a real browser: a PCN of Essex (D7T5G, one of the 2026 ICBs) and the ICB overview,
    at 1440 and 390 px (screenshots in tests/screenshots/)."""
    from browser import SCREENSHOTS, chromium, streamlit_server, wait_for_app

    db, _ = everything
    con = duckdb.connect(str(db), read_only=True)
    pcn, name = con.execute("SELECT pcn_code, pcn_name FROM pcn_profile WHERE period = '2024-25' AND icb_code = 'D7T5G' "
                            "AND indicator = 'prev_mh' ORDER BY numerator DESC LIMIT 1").fetchall()[0]
    con.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(db) as url, chromium() as browser:
        for width, suffix in ((1440, ""), (390, "_phone")):
            page = browser.new_page(viewport={"width": width, "height": 1800})
            page.goto(f"{url}/PCN_profile?period=2024-25&icb=D7T5G&pcn={pcn}&view=Population")
            wait_for_app(page)
            page.get_by_role("heading", name=re.compile(re.escape(name), re.I)).first.wait_for(timeout=60_000)
            page.get_by_text("Deprivation (IMD 2019 quintiles)").first.wait_for(timeout=60_000)
            page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
            page.screenshot(path=str(SCREENSHOTS / f"real_2026_icb_pcn_profile{suffix}.png"), full_page=True)
            page.close()
            page = browser.new_page(viewport={"width": width, "height": 1400})
            page.goto(f"{url}/?period=2024-25&icb=D7T5G&indicator=prev_mh")
            wait_for_app(page)
            page.wait_for_selector('[data-testid="stPlotlyChart"] canvas, [data-testid="stPlotlyChart"] .main-svg',
                                   timeout=60_000)
            page.screenshot(path=str(SCREENSHOTS / f"real_2026_icb_overview{suffix}.png"), full_page=True)
            page.close()


# -- MHPs in post: NHS England's PCN Workforce --------------------------------------------------------------------

WORKFORCE_JUNE_2026 = "pcn_workforce/2026_06/PCNWFIndividualCSV.062026.zip"


def _independent_june_2026() -> pd.DataFrame:
    """The June 2026 CSV summed by PCN with pandas alone (not the reader): MHP FTE by tagged role."""
    import zipfile

    with zipfile.ZipFile(REAL / WORKFORCE_JUNE_2026) as z:
        member = next(n for n in z.namelist() if n.endswith(".csv"))
        frame = pd.read_csv(z.open(member), encoding="utf-8-sig", dtype=str)
    frame["FTE"] = frame.FTE.astype(float)
    tagged = frame.STAFF_ROLE.str.contains("(Mental Health Practitioners)", regex=False)
    frame["adult"] = frame.DETAILED_STAFF_ROLE.str.contains("Practitioner - Adult", regex=False)
    return frame[tagged]


def test_june_2026_mhps_in_post_equal_the_publishers_file(everything):
    """SOURCES.md: 655.3 MHP FTE in 438 PCNs (adult 591.7, CYP 63.6; contracted 369.9, employed 285.5; 757 rows);
    each PCN's FTE equals an independent sum over the file."""
    from phm_profile import database, mhp

    db, result = everything
    con = database.connection(database.database_key(db))
    totals = mhp.england_totals(con).set_index("census")
    june = totals.loc[pd.Timestamp("2026-06-01")]
    assert round(june.mhp_fte, 1) == 655.3 and june.pcns_with_mhp == 438
    assert (round(june.mhp_fte_adult, 1), round(june.mhp_fte_cyp, 1)) == (591.7, 63.6)
    assert (round(june.mhp_fte_contracted, 1), round(june.mhp_fte_employed, 1)) == (369.9, 285.5)
    editions = mhp.editions(con).set_index("label")
    assert editions.loc["2026-06", "mhp_rows"] == 757 and editions.loc["2026-06", "pcns"] == 1_271
    # The early editions (cp1252, 2021-22) are read and say they count no MHPs: not 0.
    assert list(editions.index) == ["2026-06", "2022-09", "2022-03", "2021-09"]
    assert not editions.loc[["2022-09", "2022-03", "2021-09"], "counts_mhps"].any()
    assert totals.loc[pd.Timestamp("2021-09-01"), ["mhp_fte"]].isna().all()
    # Every PCN's MHP FTE against pandas' own sum of the tagged rows.
    tagged = _independent_june_2026()
    expected = tagged.groupby("PCN_CODE").FTE.sum()
    got = mhp.export_frame(con)
    got = got[got.census == "2026-06"].set_index("pcn_code")
    assert (got.mhp_fte > 0).sum() == len(expected) == 438
    assert ((got.mhp_fte.reindex(expected.index) - expected).abs() < 1e-3).all()
    adult = tagged[tagged.adult].groupby("PCN_CODE").FTE.sum()
    assert ((got.mhp_fte_adult.reindex(adult.index) - adult).abs() < 1e-3).all()
    # Negative FTEs in the 2021-22 files are left out, each named by file, row and column.
    negative = [w for w in result.report.warnings if w.column == "FTE" and "negative FTE" in w.message]
    assert {w.file.split("/")[1] for w in negative} == {"2021_09", "2022_03", "2022_09"}
    assert all(w.row for w in negative)


def test_every_pcn_of_england_has_a_state_in_the_june_2026_edition(everything):
    """A PCN that made a return with no MHP shows 0 (and is listed), a PCN of the mapping absent from the edition
    'no return', an edition with no MHP roles 'not counted'; PCNs in the edition but in no mapping are named."""
    from phm_profile import database, mhp

    db, _ = everything
    con = database.connection(database.database_key(db))
    june = pd.Timestamp("2026-06-01")
    frame = mhp.table(mhp.in_post(con, "2024-25", june, suppress=True), "2026-27")
    returned = frame[frame.status == mhp.RETURN]
    independent = con.execute("SELECT count(DISTINCT pcn_code) FROM pcn_workforce WHERE census = DATE '2026-06-01'"
                              ).fetchall()[0][0]
    missing = mhp.not_in_mapping(con, "2024-25", june)
    assert len(returned) + len(missing) == independent == 1_271
    none = mhp.no_mhp(frame)
    assert len(none) == len(returned) - (returned.mhp_fte > 0).sum() and (none.mhp_fte == 0).all()
    absent = frame[frame.status == mhp.NO_RETURN]
    assert len(absent) and absent.mhp_fte.isna().all()
    assert set(absent.quadrant) == {mhp.STATUS_WORDS[mhp.NO_RETURN]}
    early = mhp.in_post(con, "2024-25", pd.Timestamp("2021-09-01"), suppress=False)
    assert set(early.status) == {mhp.NOT_COUNTED} and early.mhp_fte.isna().all()
    # The quadrants split at England's pooled rates; the entitlement of 2026-27 doubles at 100,000 patients.
    need_line, mhp_line = mhp.with_quadrant_lines(frame, "need_per_10k")
    assert mhp_line == pytest.approx(10_000 * returned.mhp_fte.sum() / returned.list_size.sum())
    higher = returned[(returned.need_per_10k > need_line) & (returned.mhp_per_10k <= mhp_line)]
    assert (higher.quadrant == "Higher need, fewer MHPs").all() and len(higher)
    assert set(returned.entitlement_wte) <= {3.0, 6.0}
    # The staffing the MHP pages use without a local file: the latest edition's MHPs by role.
    staffing = mhp.staffing(con, mhp.staffing_edition(con, "2024-25"))
    assert round(staffing.wte.sum(), 1) == 655.3 and set(staffing.role) == {"adult", "cyp"}
    assert staffing.start_date.isna().all()  # the edition before (Sept 2022) counted no MHPs: no window


def test_each_practice_of_a_pcn_equals_the_publishers_row_on_the_real_build(everything):
    """2024-25 (newest first): every practice's SMI register and list in the practices view are the QOF file's
    row for it, as published, and add up to its PCN; with suppression on, a register of 1-7 is hidden, and never
    alone in a PCN whose total is shown."""
    from phm_profile import queries, release, suppression

    db, _ = everything
    con = database.connection(database.database_key(db))
    published = pd.read_csv(REAL / "qof_raw/2024_25/PREVALENCE_2425.csv")
    published = published[published.GROUP_CODE == "MH"].set_index("PRACTICE_CODE")
    frame = con.execute("SELECT practice_code, pcn_code, numerator, denominator FROM practice_profile "
                        "WHERE period = '2024-25' AND indicator = 'prev_mh'").df().set_index("practice_code")
    assert len(frame) > 6_000
    both = frame.join(published, how="inner")
    assert len(both) == len(frame)
    assert (both.numerator == both.REGISTER).all() and (both.denominator == both.PRACTICE_LIST_SIZE).all()
    pcns = con.execute("SELECT pcn_code, numerator FROM pcn_profile WHERE period = '2024-25' "
                       "AND indicator = 'prev_mh'").df().set_index("pcn_code").numerator
    sums = frame.groupby("pcn_code").numerator.sum()
    assert (sums == pcns.reindex(sums.index)).all()
    # the largest PCN's practices as the page reads them, released
    largest = frame.groupby("pcn_code").size().idxmax()
    shown = queries.practices_in_pcn(con, largest, "2024-25", "prev_mh", True)
    assert set(shown.practice_code) == set(frame[frame.pcn_code == largest].index)
    released = release.cursor(con).execute("SELECT pcn_code, numerator, vs_pcn FROM practice_profile "
                                            "WHERE period = '2024-25' AND indicator = 'prev_mh'").df()
    assert not suppression.is_small(released.numerator).any()
    small = published.index[suppression.is_small(published.REGISTER)].intersection(frame.index)
    assert len(small)  # the real file has practices with an SMI register of 1-7
    totals = release.cursor(con).execute("SELECT pcn_code, numerator AS total FROM pcn_profile "
                                         "WHERE period = '2024-25' AND indicator = 'prev_mh'").df()
    hidden = (released.vs_pcn == "suppressed").groupby(released.pcn_code).sum().rename("hidden").reset_index()
    hidden = hidden.merge(totals, on="pcn_code")
    assert not ((hidden.hidden == 1) & hidden.total.notna()).any()


def test_an_icbs_neighbourhoods_on_the_real_build(everything, tmp_path):
    """2024-25 (newest first): an ICB's PCNs grouped three by three into neighbourhoods by a file written here and
    read as an area file: each neighbourhood is its PCNs pooled, compared with its ICB; with suppression on, no
    count of 1-7 and every figure from the released practice counts."""
    from phm_profile import areas, queries, suppression

    db, _ = everything
    con = database.connection(database.database_key(db))
    pcns = [r[0] for r in con.execute("SELECT DISTINCT pcn_code FROM pcn_icb WHERE period = '2024-25' "
                                      "AND icb_code = 'D7T5G' ORDER BY 1").fetchall()]
    assert len(pcns) >= 9
    file = tmp_path / "essex neighbourhoods.csv"
    pd.DataFrame([(f"Neighbourhood {i // 3 + 1}", c) for i, c in enumerate(pcns)],
                 columns=["area_name", "code"]).to_csv(file, index=False)
    read = areas.read_area_set(file.read_bytes(), file.name, *queries.area_codes(con))
    assert read.name == "essex neighbourhoods" and not read.notes
    exact = queries.area_profile(con, read.pairs(), "2024-25", False)
    first = exact[(exact.area_name == "Neighbourhood 1") & (exact.indicator == "prev_mh")].iloc[0]
    pooled = con.execute("SELECT sum(numerator), sum(denominator) FROM pcn_profile WHERE period = '2024-25' AND "
                         "indicator = 'prev_mh' AND pcn_code IN (SELECT unnest(?))", [pcns[:3]]).fetchone()
    assert (first.numerator, first.denominator) == pooled and first.icb_code == "D7T5G"
    released = queries.area_profile(con, read.pairs(), "2024-25", True)
    assert not suppression.is_small(released.numerator).any()
    shown = queries.practices_in_pcn(con, pcns[0], "2024-25", "prev_mh", True)
    for code in pcns[1:3]:
        shown = pd.concat([shown, queries.practices_in_pcn(con, code, "2024-25", "prev_mh", True)])
    row = released[(released.area_name == "Neighbourhood 1") & (released.indicator == "prev_mh")].iloc[0]
    assert row.numerator == shown.numerator.sum()  # the released practice counts, summed


def test_workforce_pcn_codes_are_matched_to_todays_pcns_on_the_real_build(everything):
    """Each edition's PCN codes, as published, are matched to today's PCNs through their practices
    (workforce_pcn_match): a code renamed or merged since counts in today's PCN (its staff summed with the other
    codes merged into it), a code split since stays under its own code, named with the PCNs its practices are in."""
    from phm_profile import database, mhp

    db, _ = everything
    con = database.connection(database.database_key(db))
    match = con.execute("SELECT census, match, count(*) AS n FROM workforce_pcn_match GROUP BY ALL").df()
    counts = {(c.strftime("%Y-%m"), m): n for c, m, n in zip(pd.to_datetime(match.census), match.match, match.n)}
    assert counts[("2026-06", "same code")] == 1_271 and ("2026-06", "renamed or merged") not in counts
    assert (counts[("2021-09", "same code")], counts[("2021-09", "renamed or merged")],
            counts[("2021-09", "split")]) == (951, 14, 19)
    # A PCN of today formed from two codes of September 2021: its team there is both codes' rows, summed.
    sept = pd.Timestamp("2021-09-01")
    merged = con.execute("""SELECT pcn_code, published_codes, team_fte, rows FROM pcn_mhp_today
                            WHERE census = ? AND len(published_codes) > 1 AND NOT list_contains(published_codes, pcn_code)
                            ORDER BY pcn_code LIMIT 1""", [sept.date()]).df().iloc[0]
    raw = con.execute("""SELECT sum(fte), count(*) FROM pcn_workforce WHERE census = ?
                         AND list_contains(?::VARCHAR[], pcn_code)""", [sept.date(), list(merged.published_codes)]
                      ).fetchall()[0]
    assert merged.team_fte == pytest.approx(raw[0]) and merged.rows == raw[1]
    assert mhp.team(con, merged.pcn_code, sept).fte.sum() == pytest.approx(raw[0])
    series = mhp.over_time(con, [merged.pcn_code]).set_index("label")
    assert series.loc["2021-09", "status"] == mhp.NOT_COUNTED  # not "no return": its predecessors made one
    # The codes split since are named, with today's PCNs, in the list of codes not shown; merged ones are not.
    missing = mhp.not_in_mapping(con, "2024-25", sept)
    assert set(merged.published_codes).isdisjoint(missing["PCN code"])
    split = missing[missing["Why not shown"].str.startswith("split since")]
    assert len(split) == 19 and split["Why not shown"].str.contains(r"U\d{5}").all()


def test_the_mhp_pages_staffing_comes_from_the_edition_of_the_year(everything):
    """Without a staffing file, the latest year shown uses the latest edition counting MHPs; an earlier year the
    edition in post by its 31 March (else the first after); an edition counting no MHPs never serves."""
    from phm_profile import database, mhp

    db, _ = everything
    con = database.connection(database.database_key(db))
    june = pd.Timestamp("2026-06-01")
    latest = con.execute("SELECT max(period) FROM pcn_profile WHERE indicator LIKE 'prev_%'").fetchall()[0][0]
    assert latest == "2024-25" and mhp.staffing_edition(con, latest) == june
    assert mhp.staffing_edition(con, "2019-20") == june  # no counted edition by March 2020: the first after
    used = mhp.compose_staffing(pd.DataFrame(columns=mhp.STAFFING_COLUMNS[:6]), mhp.staffing(con, june), june,
                                latest, mhp.no_return(con, latest, june))
    assert used.source.startswith("NHS England, Primary Care Network Workforce, June 2026")
    assert used.when == "in post at the June 2026 census" and round(used.frame.wte.sum(), 1) == 655.3
    assert len(used.unknown) == 17  # no return in June 2026: not known, not 0
    # England's headline counts each person once across the edition, and keeps the codes in no mapping.
    head = mhp.headline(con, june)
    people = _independent_june_2026()
    people = people[people.Data_source == "NWRS Staff"].UNIQUE_IDENTIFIER.str.removesuffix(".0").nunique()
    assert head["mhp_headcount"] == people and head["pcns"] == 1_271 and round(head["mhp_fte"], 1) == 655.3


def test_mhp_in_post_export_on_the_real_build(everything, tmp_path):
    from phm_profile.cli import main

    db, _ = everything
    assert main(["export", "mhp_in_post", "--db", str(db), "--out", str(tmp_path / "mhp.csv")]) == 0
    frame = pd.read_csv(tmp_path / "mhp.csv", dtype={"census": str})
    assert list(frame.columns) == ["pcn_code", "census", "mhp_fte", "mhp_fte_adult", "mhp_fte_cyp",
                                   "mhp_fte_employed", "mhp_fte_contracted", "mhp_headcount"]
    june = frame[frame.census == "2026-06"]
    assert len(june) == 1_271 and round(june.mhp_fte.sum(), 1) == 655.3
    assert frame[frame.census == "2021-09"].mhp_fte.isna().all()


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_need_against_in_post_on_the_real_build_in_chromium(everything):
    """2024-25 QOF, the July 2026 map and the June 2026 PCN Workforce: England's scatter and table at 1440 and 390
    px (screenshots in tests/screenshots/), every point drawn, nothing failed."""
    from browser import SCREENSHOTS, chromium, streamlit_server, wait_for_app

    db, _ = everything
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(db) as url, chromium() as browser:
        for width, suffix in ((1440, ""), (390, "_phone")):
            page = browser.new_page(viewport={"width": width, "height": 1600})
            page.goto(f"{url}/MHPs_in_post?period=2024-25&icb=D7T5G")
            wait_for_app(page)
            page.get_by_text("fewer MHP FTE per 10,000 than England").first.wait_for(timeout=60_000)
            page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg .scatterlayer', timeout=60_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stPlotlyChart"] .scatterlayer .point').count() > 1_000
            page.screenshot(path=str(SCREENSHOTS / f"real_mhp_need_vs_in_post{suffix}.png"), full_page=True)
            page.goto(f"{url}/MHPs_in_post?period=2024-25&icb=D7T5G&view=Table")
            wait_for_app(page)
            page.get_by_text("Sorted by the gap to need").first.wait_for(timeout=60_000)
            page.screenshot(path=str(SCREENSHOTS / f"real_mhp_in_post_table{suffix}.png"), full_page=True)
            page.close()
