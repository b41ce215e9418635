"""The readers on the real published files in ../shared/data/real (skipped when absent)."""

import duckdb
import pytest
from conftest import REAL, needs_real

from phm_profile.readers import Report, load_file
from phm_profile.config import SQL_DIR

pytestmark = needs_real


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute((SQL_DIR / "sources.sql").read_text())
    return con


@pytest.mark.parametrize("year, practices, pcns", [
    ("2019_2020", 6720, 1250), ("2020_2021", 6571, 1251), ("2021_2022", 6470, 1261),
    ("2022_2023", 6378, 1267), ("2023_2024", 6267, 1275),
])
def test_qof_mapping_all_three_header_generations(con, year, practices, pcns):
    report = Report()
    loaded = load_file(con, REAL / "qof_geographies" / f"MAPPING_NHS_GEOGRAPHIES_{year}.parquet", report)
    assert loaded.kind == "practice_mapping" and loaded.rows == practices
    assert not report.errors
    period = f"{year[:4]}-{year[-2:]}"
    assert loaded.periods == [period]
    n_pcns, n_icbs = con.execute("SELECT count(DISTINCT pcn_code), count(DISTINCT icb_code) FROM practice_mapping").fetchall()[0]
    assert n_pcns == pcns  # PCN code 'U' (no PCN) is not a PCN
    assert 42 <= n_icbs <= 43
    # Practices in no PCN are a warning, not an error.
    assert any("in no PCN" in w.message for w in report.warnings)


def test_mapping_hand_checked_values(con):
    load_file(con, REAL / "qof_geographies" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.parquet", Report())
    row = con.execute("SELECT pcn_code, pcn_name, sub_icb_code, icb_code, region_code FROM practice_mapping "
                      "WHERE practice_code = 'A81001'").fetchall()[0]
    assert row == ("U89141", "Stockton PCN", "16C", "QHM", "Y63")
    members = con.execute("SELECT list(practice_code ORDER BY practice_code) FROM practice_mapping "
                          "WHERE pcn_code = 'U89141'").fetchall()[0][0]
    assert "A81001" in members and len(members) == len(set(members)) >= 2


def test_qof_list_sizes_gp_by_age(con):
    report = Report()
    loaded = load_file(con, REAL / "qof_2019_20_commons_library" / "gp-by-age.csv", report, period="2019-20")
    assert loaded.kind == "qof_list_size" and loaded.rows == 6730
    sizes = dict(con.execute("SELECT list_type, list_size FROM qof_list_size WHERE practice_code = 'A81001'").fetchall())
    # The House of Commons Library README: A81001 had 4,111 patients, 3,258 of them aged 18+.
    assert sizes["TOTAL"] == 4111 and sizes["18OV"] == 3258 and sizes["65OV"] == 950
    total = con.execute("SELECT sum(list_size)::BIGINT FROM qof_list_size WHERE list_type = 'TOTAL'").fetchall()[0][0]
    assert 60_000_000 < total < 61_500_000


def test_list_size_file_without_period_in_name_is_refused_clearly(con):
    report = Report()
    assert load_file(con, REAL / "qof_2019_20_commons_library" / "gp-by-age.csv", report) is None
    assert "does not say which financial year" in report.errors[0].message


def test_imd_deciles_from_the_lsoa_lookup(con):
    report = Report()
    loaded = load_file(con, REAL / "qof_2019_20_commons_library" / "lsoa_geog_lookup.csv", report)
    assert loaded.kind == "imd" and loaded.rows == 32844  # English 2011 LSOAs
    assert any("1,909 rows left out" in w.message for w in report.warnings)  # Welsh LSOAs
    counts = dict(con.execute("SELECT imd_decile, count(*) FROM imd GROUP BY 1").fetchall())
    assert sorted(counts) == list(range(1, 11))
    assert all(3270 <= n <= 3300 for n in counts.values())
    assert con.execute("SELECT imd_decile FROM imd WHERE lsoa_code = 'E01015736'").fetchall()[0][0] == 1


def test_unknown_practices_in_list_sizes_against_the_mapping(tmp_path):
    import shutil
    from phm_profile import store

    folder = tmp_path / "real"
    folder.mkdir()
    shutil.copy(REAL / "qof_geographies" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.parquet", folder)
    shutil.copy(REAL / "qof_2019_20_commons_library" / "gp-by-age.csv", folder / "gp-by-age_2019_2020.csv")
    report = store.validate(folder)
    assert not report.errors
    unknown = [w for w in report.warnings if "not in the practice-to-PCN mapping" in w.message]
    assert len(unknown) == 1 and unknown[0].message.startswith("10 practice codes")


@pytest.mark.parametrize("path, lsoas, scored", [
    # File 1 as published: the Notes sheet first, the decile header cut short
    ("imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx", 33_755, False),
    # File 7's exact 56-column header with its first three rows
    ("imd2025/File_7_IoD2025_header_and_first3rows.csv", 3, True),
    # a derived table of LSOA 2021 scores, ranks and deciles
    ("imd2025/lsoa21_imd2025_score_rank_decile.csv", 33_755, True),
])
def test_imd_2025_in_every_published_layout_on_2021_lsoas(con, path, lsoas, scored):
    report = Report()
    loaded = load_file(con, REAL / path, report, name=path)
    assert loaded is not None and not report.errors, report.text()
    rows = con.execute("SELECT count(*), count(imd_score), min(edition), max(edition), min(lsoa_edition), "
                       "max(imd_rank), count(DISTINCT imd_decile) FROM imd").fetchall()[0]
    assert rows[0] == lsoas and (rows[1] == lsoas) == scored and rows[1:5] == (rows[1], 2025, 2025, 2021)
    if lsoas > 3:
        assert rows[5] == 33_755 and rows[6] == 10  # ranks of 2021 LSOAs, up to 33,755 (above 2011's 32,844)
    # SOURCES.md: deciles by rank, 1-3375 in decile 1
    assert con.execute("SELECT max(imd_rank) FROM imd WHERE imd_decile = 1").fetchall()[0][0] in (None, 3375) \
        or lsoas == 3


def test_imd_2019_and_2025_side_by_side(con):
    report = Report()
    load_file(con, REAL / "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx", report)
    load_file(con, REAL / "imd2025/lsoa21_imd2025_score_rank_decile.csv", report)
    assert not report.errors
    assert con.execute("SELECT edition, lsoa_edition, count(*) FROM imd GROUP BY ALL ORDER BY 1").fetchall() == [
        (2019, 2011, 32_844), (2025, 2021, 33_755)]
