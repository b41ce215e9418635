"""One crafted bad file per validation rule: the message names the file, the row and the column, and a failed
build leaves the previous database exactly as it was."""

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from phm_profile import store


def edit_csv(path: Path, row: int, column: str, value: str, encoding="utf-8") -> None:
    """Set one cell; ``row`` counts as a person does (header = row 1)."""
    with open(path, encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row - 1][rows[0].index(column)] = value
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def previous_db(demo_db, tmp_path) -> Path:
    db = tmp_path / "current.duckdb"
    shutil.copy(demo_db, db)
    return db


def failed_build(folder: Path, db: Path):
    """Build from a spoiled folder; assert it fails and that ``db`` is unchanged, byte for byte and table
    for table. Returns the errors."""
    before = digest(db)
    con = duckdb.connect(str(db), read_only=True)
    tables_before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("qof_prevalence", "sources")}
    con.close()
    with pytest.raises(store.BuildFailed) as failed:
        store.build(folder, db)
    assert digest(db) == before
    con = duckdb.connect(str(db), read_only=True)
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables_before} == tables_before
    con.close()
    assert not list(db.parent.glob(".*.building*"))
    return failed.value.report.errors


def the_error(errors, file, row, column):
    hits = [e for e in errors if e.file == file and e.row == row and e.column == column]
    assert hits, f"no error at {file} row {row} column {column}; got:\n" + "\n".join(map(str, errors))
    return hits[0]


def test_missing_required_column(demo_copy, previous_db):
    edit_csv(demo_copy / "PREVALENCE_2324.csv", 1, "REGISTER", "REGISTR")
    # Headers no longer match any extract fully: the file is named as the closest one and its gap shown.
    error = the_error(failed_build(demo_copy, previous_db), "PREVALENCE_2324.csv", 1, "REGISTER")
    assert "column REGISTER (register count) is missing" in error.message
    assert "REGISTR" in error.message


def test_count_that_is_not_a_number(demo_copy, previous_db):
    edit_csv(demo_copy / "PREVALENCE_2324.csv", 40, "REGISTER", "twelve")
    error = the_error(failed_build(demo_copy, previous_db), "PREVALENCE_2324.csv", 40, "REGISTER")
    assert error.message == "'twelve' is not a whole number; the register count must be a whole number."


def test_negative_count(demo_copy, previous_db):
    edit_csv(demo_copy / "PREVALENCE_2324.csv", 812, "REGISTER", "-12")
    error = the_error(failed_build(demo_copy, previous_db), "PREVALENCE_2324.csv", 812, "REGISTER")
    assert error.message == "-12 is negative; the register count cannot be negative."
    assert str(error) == ("PREVALENCE_2324.csv, row 812, column REGISTER: -12 is negative; the register count "
                          "cannot be negative.")


def test_codes_of_an_unexpected_shape_in_published_files_are_kept_and_warned(demo_copy, previous_db):
    """What the publisher publishes is a warning, never a refused build (issue 25): a code of a shape the tool
    does not expect (a new ICB code shape, a renamed PCN) is kept as published, counted and named by file, row
    and column."""
    edit_csv(demo_copy / "QOF_LIST_SIZE_2223.csv", 5, "PRACTICE_CODE", "Z12")
    edit_csv(demo_copy / "MAPPING_NHS_GEOGRAPHIES_2022_2023.csv", 3, "PCN_ODS_CODE", "X12345")
    edit_csv(demo_copy / "MAPPING_NHS_GEOGRAPHIES_2022_2023.csv", 7, "ICB_ODS_CODE", "Leeds")
    result = store.build(demo_copy, previous_db)
    warned = {}
    for w in result.report.warnings:
        warned[(w.file, w.row, w.column)] = warned.get((w.file, w.row, w.column), "") + w.message
    assert "1 row: the practice code is of a shape" in warned[("QOF_LIST_SIZE_2223.csv", 5, "PRACTICE_CODE")]
    assert "not a PCN code" in warned[("MAPPING_NHS_GEOGRAPHIES_2022_2023.csv", 3, "PCN_ODS_CODE")]
    assert "kept as published" in warned[("MAPPING_NHS_GEOGRAPHIES_2022_2023.csv", 7, "ICB_ODS_CODE")]
    con = duckdb.connect(str(previous_db), read_only=True)
    assert con.execute("SELECT count(*) FROM qof_list_size WHERE practice_code = 'Z12'").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM practice_mapping WHERE icb_code = 'LEEDS'").fetchall()[0][0] == 1
    con.close()


def test_a_look_alike_character_in_a_code_is_still_refused(demo_copy, previous_db):
    edit_csv(demo_copy / "MAPPING_NHS_GEOGRAPHIES_2022_2023.csv", 3, "PCN_ODS_CODE", "U1234\u0665")
    error = the_error(failed_build(demo_copy, previous_db), "MAPPING_NHS_GEOGRAPHIES_2022_2023.csv", 3, "PCN_ODS_CODE")
    assert "ARABIC-INDIC DIGIT FIVE" in error.message


def test_duplicate_key(demo_copy, previous_db):
    path = demo_copy / "PREVALENCE_2223.csv"
    lines = path.read_text().splitlines()
    lines.insert(20, lines[4])  # row 5 again, as row 21
    path.write_text("\n".join(lines) + "\n")
    error = the_error(failed_build(demo_copy, previous_db), "PREVALENCE_2223.csv", 21, "PRACTICE_CODE / GROUP_CODE")
    assert "appears twice (first at row 5)" in error.message


def test_register_above_list_size_is_kept_with_a_warning(demo_copy, tmp_path):
    # Published so for special practices (real 2022-23: Y05750 LD 121 on a TOTAL list of 118): a warning naming
    # the row, and the register still counts in every sum.
    edit_csv(demo_copy / "PREVALENCE_2122.csv", 9, "REGISTER", "999999")
    result = store.build(demo_copy, tmp_path / "above.duckdb")
    warning = next(w for w in result.report.warnings if w.file == "PREVALENCE_2122.csv" and w.row == 9)
    assert warning.column == "REGISTER" and "is larger than the practice's" in warning.message
    con = duckdb.connect(str(tmp_path / "above.duckdb"), read_only=True)
    group, practice = con.execute("SELECT group_code, practice_code FROM qof_prevalence "
                                  "WHERE source_file = 'PREVALENCE_2122.csv' AND source_row = 9").fetchall()[0]
    england = con.execute("SELECT register FROM area_prevalence WHERE level = 'england' AND period = '2021-22' "
                          "AND group_code = ?", [group]).fetchall()[0][0]
    practices = con.execute("SELECT sum(register) FROM qof_prevalence WHERE period = '2021-22' AND group_code = ?",
                            [group]).fetchall()[0][0]
    con.close()
    assert england == practices and england >= 999999


def test_bad_date(demo_copy, previous_db):
    edit_csv(demo_copy / "gp-reg-pat-prac-quin-age-apr-2023.csv", 2, "EXTRACT_DATE", "31/02/2023x")
    error = the_error(failed_build(demo_copy, previous_db), "gp-reg-pat-prac-quin-age-apr-2023.csv", 2, "EXTRACT_DATE")
    assert "is not a date" in error.message


def test_empty_file(demo_copy, previous_db):
    (demo_copy / "PREVALENCE_2324.csv").write_text("")
    error = the_error(failed_build(demo_copy, previous_db), "PREVALENCE_2324.csv", None, None)
    assert error.message == "the file is empty."


def test_truncated_xlsx(demo_copy, previous_db, tmp_path):
    whole = tmp_path / "QOF_LIST_SIZE_2324.xlsx"
    pd.read_csv(demo_copy / "QOF_LIST_SIZE_2324.csv", dtype=str).to_excel(whole, index=False)
    (demo_copy / "QOF_LIST_SIZE_2324.csv").unlink()
    (demo_copy / "QOF_LIST_SIZE_2324.xlsx").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    error = the_error(failed_build(demo_copy, previous_db), "QOF_LIST_SIZE_2324.xlsx", None, None)
    assert "not a readable Excel workbook" in error.message


def test_2021_lsoa_codes_against_2011_imd(demo_copy, previous_db):
    path = demo_copy / "gp-reg-pat-prac-lsoa-all-apr-2024.csv"
    path.write_text(path.read_text().replace('"E019', '"E018'))
    error = the_error(failed_build(demo_copy, previous_db), "gp-reg-pat-prac-lsoa-all-apr-2024.csv", 2, "LSOA_CODE")
    assert "are in no index of deprivation loaded" in error.message


def test_suppressed_markers_are_warnings_counted_as_missing(demo_copy, tmp_path):
    for row in (3, 4, 5):
        edit_csv(demo_copy / "mh_service_usage_ecds.csv", row, "NUMERATOR", "*")
    result = store.build(demo_copy, tmp_path / "ok.duckdb")
    warning = next(w for w in result.report.warnings if w.file == "mh_service_usage_ecds.csv")
    assert warning.row == 3 and warning.column == "NUMERATOR" and warning.message.startswith("3 values are suppressed")
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM service_usage WHERE source_file = 'mh_service_usage_ecds.csv' "
                       "AND numerator IS NULL").fetchall()[0][0] == 3


def test_unknown_practice_is_a_warning_naming_file_and_row(demo_copy, tmp_path):
    edit_csv(demo_copy / "PREVALENCE_2324.csv", 2, "PRACTICE_CODE", "Z99999")
    result = store.build(demo_copy, tmp_path / "ok.duckdb")
    warning = next(w for w in result.report.warnings if "not in the practice-to-PCN mapping" in w.message)
    assert (warning.file, warning.row, warning.column) == ("PREVALENCE_2324.csv", 2, "PRACTICE_CODE")


def test_cp1252_and_bom_files_load(demo_copy, tmp_path):
    path = demo_copy / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv"
    edit_csv(path, 2, "PRACTICE_NAME", "Café Surgery £")
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1252"))
    bom = demo_copy / "QOF_LIST_SIZE_2324.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    store.build(demo_copy, tmp_path / "ok.duckdb")
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    assert con.execute("SELECT practice_name FROM practice_mapping WHERE period = '2023-24' AND source_row = 2"
                       ).fetchall()[0][0] == "Café Surgery £"
    assert con.execute("SELECT count(*) FROM qof_list_size WHERE period = '2023-24'").fetchall()[0][0] == 200 * 8


def test_xlsx_extract_loads(demo_copy, tmp_path):
    frame = pd.read_csv(demo_copy / "QOF_LIST_SIZE_2324.csv", dtype=str)
    (demo_copy / "QOF_LIST_SIZE_2324.csv").unlink()
    frame.to_excel(demo_copy / "QOF_LIST_SIZE_2324.xlsx", index=False)
    store.build(demo_copy, tmp_path / "ok.duckdb")
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    total = con.execute("SELECT sum(list_size)::BIGINT FROM qof_list_size WHERE period='2023-24' AND list_type='TOTAL'").fetchall()[0][0]
    assert total == pd.to_numeric(frame["TOTAL"]).sum()


def test_epcn_workbook_in_the_published_layout(demo_copy, tmp_path):
    """The ePCN workbook: notes and PCN sheets around the core partner sheet, which also lists a membership
    that has ended (the practice moved PCN). The current membership is used and the ended one reported."""
    mapping = pd.read_csv(demo_copy / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv", dtype=str)
    (demo_copy / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv").unlink()
    core = pd.DataFrame({
        "PCN Code": mapping.PCN_ODS_CODE, "PCN Name": mapping.PCN_NAME,
        "Partner Organisation Code": mapping.PRACTICE_CODE, "Partner Name": mapping.PRACTICE_NAME,
        "Practice Parent Sub ICB Loc Code": mapping.SUB_ICB_ODS_CODE,
        "Practice Parent Sub ICB Loc Name": mapping.SUB_ICB_NAME,
        "Practice to PCN Relationship Start Date": pd.Timestamp("2020-07-01"),  # Excel dates, as published
        "Practice to PCN Relationship End Date": pd.NaT,
    })
    moved = core.iloc[0].copy()  # Z00001 was in another PCN until March 2023
    moved["PCN Code"], moved["PCN Name"] = "U90002", "Demo PCN 0002 (synthetic)"
    moved["Practice to PCN Relationship End Date"] = pd.Timestamp("2023-03-31")
    core = pd.concat([core.iloc[:1], moved.to_frame().T, core.iloc[1:]], ignore_index=True)
    with pd.ExcelWriter(demo_copy / "ePCN_2023_2024.xlsx") as book:
        pd.DataFrame({"Notes": ["Synthetic ePCN workbook for tests"]}).to_excel(book, sheet_name="Notes", index=False)
        core[["PCN Code", "PCN Name"]].drop_duplicates().to_excel(book, sheet_name="PCNDetails", index=False)
        core.to_excel(book, sheet_name="PCN Core Partner Details", index=False)
    result = store.build(demo_copy, tmp_path / "ok.duckdb")
    skipped = next(w for w in result.report.warnings if w.file == "ePCN_2023_2024.xlsx" and "ended" in w.message)
    assert skipped.row == 3 and skipped.message.startswith("1 rows left out")
    assert any(w.file == "ePCN_2023_2024.xlsx" and "no ICB codes" in w.message for w in result.report.warnings)
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    rows = con.execute("SELECT practice_code, pcn_code, sub_icb_code FROM practice_mapping WHERE period = '2023-24'"
                       ).fetchall()
    assert len(rows) == len(mapping)
    assert ("Z00001", mapping.PCN_ODS_CODE[0], mapping.SUB_ICB_ODS_CODE[0]) in rows
    lists = pd.read_csv(demo_copy / "QOF_LIST_SIZE_2324.csv").merge(
        mapping, left_on="PRACTICE_CODE", right_on="PRACTICE_CODE").groupby("PCN_ODS_CODE").TOTAL.sum()
    shown = dict(con.execute("SELECT pcn_code, value FROM pcn_profile WHERE period = '2023-24' "
                             "AND indicator = 'list_size'").fetchall())
    assert shown == {pcn: float(total) for pcn, total in lists.items()}


def test_fractional_counts_are_rounded_with_a_warning(demo_copy, tmp_path):
    # QOF 2019-20 publishes estimated list sizes with decimals for a few practices: they load, rounded.
    path = demo_copy / "QOF_LIST_SIZE_2324.csv"
    edit_csv(path, 2, "18OV", "3391.6")
    result = store.build(demo_copy, tmp_path / "ok.duckdb")
    warning = next(w for w in result.report.warnings if "not whole numbers" in w.message)
    assert (warning.file, warning.row, warning.column) == ("QOF_LIST_SIZE_2324.csv", 2, "18OV")
    assert warning.message.startswith("1 values are not whole numbers")
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    assert con.execute("SELECT list_size FROM qof_list_size WHERE period = '2023-24' AND source_row = 2 "
                       "AND list_type = '18OV'").fetchall()[0][0] == 3392


def test_cp1252_past_the_first_megabyte_loads(demo_copy, tmp_path):
    # The encoding is judged from the start of a file; DuckDB finds non-UTF-8 bytes further on.
    path = demo_copy / "gp-reg-pat-prac-lsoa-all-apr-2024.csv"
    assert path.stat().st_size > 1 << 20
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    rows[-1][rows[0].index("PRACTICE_NAME")] = "Café £"
    with open(path, "w", encoding="cp1252", newline="") as fh:
        csv.writer(fh).writerows(rows)
    store.build(demo_copy, tmp_path / "ok.duckdb")
    con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM patients_lsoa WHERE period = '2023-24'").fetchall()[0][0] > 0


@pytest.mark.parametrize("ids, repeated_at", [
    ([1, 2, 3, 4, 5], None),          # whole numbers, all different: proved by the bitmap
    ([5, 1, 4, 3, 2], None),          # the same in any order
    ([1, 2, 3, 4, 2], 6),             # a repeat at the end: the bitmap counts fewer bits than rows
    ([5, 1, 2, 3, 1], 6),             # a repeat out of order
    ([1, 2, 9_000_000_000, 4, 2], 6), # a range too wide for a bitmap: the hash search finds it
    (["A1", "A2", "A3", "A1", "A9"], 5),
])
def test_repeated_referral_ids_are_found_whatever_their_order(ids, repeated_at):
    import tempfile

    from phm_profile.readers import Report, load_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mh_referrals_records.csv"
        lines = ["REFERRAL_ID,PRACTICE_CODE,REFERRAL_DATE,SERVICE,OUTCOME,WAIT_DAYS"]
        lines += [f"{i},Z90001,2023-05-0{n + 1},CMHT,ACCEPTED,3" for n, i in enumerate(ids)]
        path.write_text("\n".join(lines) + "\n")
        con = duckdb.connect()
        con.execute((store.SQL_DIR / "sources.sql").read_text())
        report = Report()
        load_file(con, path, report)
    errors = [(e.row, e.column) for e in report.errors]
    assert errors == ([] if repeated_at is None else [(repeated_at, "REFERRAL_ID")])


def test_readable_variants_of_csv_load(demo_copy, tmp_path):
    """Files a spreadsheet or another system writes differently, which used to be refused or misread: UTF-16
    ("Unicode text"), mixed line ends, a quoted line break, two-digit years (01APR24 is 2024, not 0024)."""
    prevalence = demo_copy / "PREVALENCE_2324.csv"
    text = prevalence.read_text()
    prevalence.write_text(text, encoding="utf-16")
    mapping = demo_copy / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv"
    lines = mapping.read_text().splitlines()
    mapping.write_bytes(("\r\n".join(lines[:10]) + "\r\n" + "\n".join(lines[10:]) + "\n").encode())
    frame = pd.read_csv(mapping, dtype=str)
    frame.loc[0, "PRACTICE_NAME"] = "The Surgery\nAnnexe"  # written with quotes by pandas
    frame.to_csv(mapping, index=False)
    ages = demo_copy / "gp-reg-pat-prac-quin-age-apr-2024.csv"
    ages.write_text(ages.read_text().replace("01APR2024", "01APR24"))
    result = store.build(demo_copy, tmp_path / "variants.duckdb")
    assert not result.report.errors
    con = duckdb.connect(str(tmp_path / "variants.duckdb"), read_only=True)
    assert con.execute("SELECT DISTINCT extract_date::VARCHAR FROM patients_age_sex WHERE source_file = ?",
                       [ages.name]).fetchall() == [("2024-04-01",)]
    assert con.execute("SELECT count(*) FROM qof_prevalence WHERE period = '2023-24'").fetchall()[0][0] == \
        len(text.splitlines()) - 1
    assert con.execute("SELECT count(*) FROM practice_mapping WHERE practice_name = 'The Surgery\nAnnexe'"
                       ).fetchall()[0][0] == 1
    con.close()


def test_warnings_for_figures_that_look_wrong(demo_copy, tmp_path):
    prevalence = demo_copy / "PREVALENCE_2324.csv"
    frame = pd.read_csv(prevalence, dtype={"REGISTER": "Int64"})
    frame.loc[frame.GROUP_CODE == "PAD", "REGISTER"] = 0
    frame.to_csv(prevalence, index=False)
    (demo_copy / "gp-reg-pat-prac-quin-age-apr-2024.csv").rename(demo_copy / "gp-reg-pat-prac-quin-age-apr-2019.csv")
    result = store.build(demo_copy, tmp_path / "odd.duckdb")
    said = [str(w) for w in result.report.warnings]
    assert any("PREVALENCE_2324.csv, column REGISTER: the PAD register is 0 for every practice" in w for w in said)
    assert any(w.startswith("gp-reg-pat-prac-quin-age-apr-2019.csv, column EXTRACT_DATE: its name says 2019 but")
               for w in said)


def test_a_mistyped_register_code_is_refused_but_a_new_register_is_kept(demo_copy, tmp_path):
    prevalence = demo_copy / "PREVALENCE_2324.csv"
    frame = pd.read_csv(prevalence, dtype=str)
    typo = frame.index[(frame.PRACTICE_CODE == "Z00001") & (frame.GROUP_CODE == "MH")][0]
    frame.loc[typo, "GROUP_CODE"] = "MHH"
    frame.to_csv(prevalence, index=False)
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, tmp_path / "typo.duckdb")
    [error] = failed.value.report.errors
    assert (error.file, error.row, error.column) == ("PREVALENCE_2324.csv", typo + 2, "GROUP_CODE")
    assert "register code MHH is not a QOF register" in error.message and "has no MH row" in error.message
    # A register every practice has, new to this tool, is kept with a warning.
    frame.loc[typo, "GROUP_CODE"] = "MH"
    extra = frame[frame.GROUP_CODE == "MH"].assign(GROUP_CODE="NEWREG")
    pd.concat([frame, extra]).to_csv(prevalence, index=False)
    result = store.build(demo_copy, tmp_path / "new.duckdb")
    assert any("register code NEWREG is not a QOF register this tool knows; it is kept" in w.message
               for w in result.report.warnings)
