"""Attacks on what the product reads (items 10-15 of the attack report), each case as a test: values from a file shown
as text, never as markdown; staffing dates beyond pandas' range; the staffing file recognised by its headers wherever
it is, an upload included; two months of the registrations' practice map for one year; a database replaced while the
app runs; unknown and look-alike PCN codes; a unit cost too large to be money. Every refusal names the file, the row
and the column, and changes nothing already loaded."""

import shutil

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, open_view
from streamlit.testing.v1 import AppTest

from phm_profile import database, impact, own_data, store, text, workforce

IMAGE = "![x](http://127.0.0.1:8999/role.png)"
STAFFING_HEADER = "pcn_code,role,band,wte,start_date,end_date\n"


def staffing(body: str, pcns=None, name: str = "s.csv") -> pd.DataFrame:
    return workforce.read_staffing((STAFFING_HEADER + body).encode(), name, pcns)


def shown_as_markdown(at) -> list[str]:
    """Every text a page run by AppTest shows through Streamlit's markdown (messages, captions, markdown)."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader")
    return [element.value for kind in kinds for element in getattr(at, kind)]


@pytest.fixture
def db_copy(demo_db, tmp_path):
    """A private copy of the demo database a test may replace under the app."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, copy)
    return copy


def app_on(db, page: str | None = None) -> AppTest:
    """The app on the database ``db`` (the session's own, as after an upload), on ``page``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["_database"] = str(db)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


def upload_in_staffing_dialog(at, name: str, content: bytes) -> AppTest:
    """A file given to the MHP impact page's staffing dialog (the dialog is opened again with the file in place:
    AppTest reruns the whole page, where Streamlit would rerun the dialog alone)."""
    at.button(key="staffing_edit").click().run()
    at.file_uploader(key="staffing_upload").upload(name, content, "text/csv")
    at.button(key="staffing_edit").click().run()
    assert not at.exception, at.exception
    return at


# -- 10. A value from a file is shown as text --------------------------------------------------------------------


def test_a_value_quoted_in_the_staffing_dialogs_error_is_text_not_an_image(demo_db):
    at = app_on(demo_db, "pages/6_MHP_impact.py")
    upload_in_staffing_dialog(at, "s.csv", f"{STAFFING_HEADER}U90001,{IMAGE},7,1,2022-01-01,\n".encode())
    errors = [e.value for e in at.error]
    assert any(text.markdown(IMAGE) in e and text.markdown("s.csv, row 2, column role") in e for e in errors), errors
    assert not any(IMAGE in shown for shown in shown_as_markdown(at))


def test_a_value_quoted_in_the_workforce_plans_staffing_error_is_text(demo_db):
    at = app_on(demo_db, "pages/4_Workforce_plan.py")
    at.file_uploader(key="staff_file").upload("s.csv", f"pcn_code,role,wte\nU90001,{IMAGE},1\n".encode(), "text/csv")
    at.run()
    assert not at.exception
    assert any(text.markdown(IMAGE) in e.value for e in at.error)
    assert not any(IMAGE in shown for shown in shown_as_markdown(at))


def test_a_value_quoted_in_an_uploads_build_report_is_text(db_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(own_data, "USER_DIR", tmp_path / "user")
    at = app_on(db_copy, "pages/3_Data_and_methods.py")
    at.file_uploader(key="own_files").upload("mhp_staffing.csv", f"pcn_code,role,wte\nU90001,{IMAGE},1\n".encode(),
                                             "text/csv")
    at.run()
    at.button(key="own_build").click().run()
    assert not at.exception
    assert any("mhp_staffing.csv, row 2, column role" in c.value for c in at.code)  # the report, as code
    assert not any(IMAGE in shown for shown in shown_as_markdown(at))


# -- 11. Staffing dates beyond pandas' range ---------------------------------------------------------------------


@pytest.mark.parametrize("end", ["9999-12-31", "3000-01-01", "31/12/9999"])
def test_an_end_date_beyond_2262_is_open_ended(end):
    read, notes = workforce.staffing_and_notes((STAFFING_HEADER + f"U90001,adult,7,1,2022-01-01,{end}\n").encode(),
                                               "s.csv")
    assert read.end_date.isna().all() and read.start_date.iloc[0] == pd.Timestamp("2022-01-01")
    assert workforce.in_post(read).wte.sum() == 1.0  # still in post
    assert any(str(n).startswith("s.csv, row 2, column end_date:") and "still in post" in str(n) for n in notes)


@pytest.mark.parametrize("row, column", [
    ("U90001,adult,7,1,1677-01-01,", "start_date"),  # a mistyped year, before the NHS began
    ("U90001,adult,7,1,3000-01-01,", "start_date"),  # a start beyond pandas' dates is no start
    ("U90001,adult,7,1,,1677-01-01", "end_date"),
    ("U90001,adult,7,1,0001-01-01,", "start_date"),
])
def test_an_implausible_staffing_date_is_refused_by_row_and_column(row, column):
    with pytest.raises(workforce.StaffingFileError) as refused:
        staffing(row + "\n")
    assert f"s.csv, row 2, column {column}:" in str(refused.value)


def test_a_folder_staffing_file_ending_9999_builds_and_the_post_is_in_post(demo_copy, tmp_path):
    path = demo_copy / "staffing" / "mhp_staffing.csv"
    path.write_text(path.read_text().replace("2021-07-01,\n", "2021-07-01,9999-12-31\n", 1))
    result = store.build(demo_copy, tmp_path / "open.duckdb")
    con = duckdb.connect(str(tmp_path / "open.duckdb"), read_only=True)
    ends = con.execute("SELECT count(*) FILTER (WHERE end_date IS NULL), count(*) FROM mhp_staffing").fetchall()[0]
    con.close()
    assert ends[0] == ends[1]  # every post open-ended, the 9999 one too
    assert any(w.file == "staffing/mhp_staffing.csv" and w.row == 2 and w.column == "end_date"
               for w in result.report.warnings)


def test_a_folder_staffing_file_starting_1677_is_refused_by_file_row_and_column(demo_copy, db_copy):
    before = db_copy.read_bytes()
    (demo_copy / "staffing" / "mhp_staffing.csv").write_text(STAFFING_HEADER + "U90001,adult,7,1,1677-01-01,\n")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, db_copy)
    assert any((e.file, e.row, e.column) == ("staffing/mhp_staffing.csv", 2, "start_date")
               for e in failed.value.report.errors)
    assert db_copy.read_bytes() == before


def test_the_staffing_dialog_reads_an_open_ended_9999_end_date(demo_db):
    at = app_on(demo_db, "pages/6_MHP_impact.py")
    upload_in_staffing_dialog(at, "s.csv", f"{STAFFING_HEADER}U90001,adult,7,1,2022-01-01,9999-12-31\n".encode())
    assert not at.error
    assert any(c.value.startswith("From s.csv: 1 post.") for c in at.caption)
    assert any("still in post" in shown for shown in shown_as_markdown(at))


# -- 12. The staffing file recognised by its headers ---------------------------------------------------------------


def test_the_staffing_file_at_the_top_of_the_folder_is_read_as_staffing(demo_copy, tmp_path):
    (demo_copy / "staffing" / "mhp_staffing.csv").rename(demo_copy / "my staff.csv")
    (demo_copy / "staffing").rmdir()
    result = store.build(demo_copy, tmp_path / "top.duckdb")
    assert result.staffing == "my staff.csv"
    con = duckdb.connect(str(tmp_path / "top.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM mhp_staffing").fetchall()[0][0] == 18
    assert con.execute("SELECT kind FROM sources WHERE file_name = 'my staff.csv'").fetchall() == [("mhp_staffing",)]
    con.close()


def test_a_staffing_file_of_another_name_in_the_staffing_folder_is_read(demo_copy, tmp_path):
    (demo_copy / "staffing" / "mhp_staffing.csv").rename(demo_copy / "staffing" / "posts_2024.csv")
    result = store.build(demo_copy, tmp_path / "named.duckdb")
    assert result.staffing == "staffing/posts_2024.csv"


def test_two_staffing_files_are_refused_naming_both(demo_copy, db_copy):
    before = db_copy.read_bytes()
    shutil.copy(demo_copy / "staffing" / "mhp_staffing.csv", demo_copy / "staff_copy.csv")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, db_copy)
    said = str(failed.value)
    assert "staff_copy.csv" in said and "staffing/mhp_staffing.csv" in said and "one staffing file" in said
    assert db_copy.read_bytes() == before


def demo_uploads(demo_dir, with_staffing: bool) -> list[tuple[str, bytes]]:
    files = [(p.name, p.read_bytes()) for p in sorted(demo_dir.iterdir()) if p.is_file() and p.suffix != ".md"]
    if with_staffing:
        files.append(("mhp_staffing.csv", (demo_dir / "staffing" / "mhp_staffing.csv").read_bytes()))
    return files


def test_an_upload_carrying_a_staffing_file_uses_it(demo_dir, tmp_path):
    result = own_data.build_from_uploads(demo_uploads(demo_dir, True), tmp_path / "upload.duckdb")
    assert not result.report.errors and result.staffing == "mhp_staffing.csv"
    con = duckdb.connect(str(tmp_path / "upload.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM mhp_staffing").fetchall()[0][0] == 18
    con.close()


MINE = "U90002,adult,5,1.0,2022-04-01,\n"


def upload_on_data_page(at, files) -> AppTest:
    at.switch_page("pages/3_Data_and_methods.py").run()
    at.file_uploader(key="own_files").set_value([(name, content, "text/csv") for name, content in files])
    at.run()
    at.button(key="own_build").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("with_staffing", [False, True])
def test_staffing_loaded_on_the_impact_page_does_not_vanish_after_an_upload(demo_dir, db_copy, tmp_path, monkeypatch,
                                                                          with_staffing):
    monkeypatch.setattr(own_data, "USER_DIR", tmp_path / "user")
    at = app_on(db_copy, "pages/6_MHP_impact.py")
    at.session_state["_staffing"] = {database.database_key(db_copy): (staffing(MINE), "mine.csv")}  # as "Use" keeps it
    at.run()
    upload_on_data_page(at, demo_uploads(demo_dir, with_staffing))
    assert any(s.value.startswith("Built your database") for s in at.success)
    said = " ".join(shown_as_markdown(at))
    at.switch_page("pages/6_MHP_impact.py").run()
    captions = [c.value for c in at.caption]
    if with_staffing:  # replaced, and said so, with what
        assert text.markdown("(mine.csv) is replaced by mhp_staffing.csv, the staffing file in your upload") in said
        assert any(c.startswith(text.markdown("Staffing from the staffing file loaded with the data: 18 posts"))
                   for c in captions)
    else:  # kept, and said so
        assert text.markdown("(mine.csv) is kept with your upload") in said
        assert any(c.startswith(text.markdown("Staffing from mine.csv: 1 post")) for c in captions), captions


# -- 13. Two months of the registrations' practice map for one year ---------------------------------------------


def registrations_map(mapping: pd.DataFrame, extract_date: str) -> str:
    """A gp-reg-pat-prac-map file of one month from a QOF mapping's practices (the publisher's headers)."""
    return pd.DataFrame({
        "PUBLICATION": "GP_PRAC_PAT_LIST", "EXTRACT_DATE": extract_date, "PRACTICE_CODE": mapping.PRACTICE_CODE,
        "PRACTICE_NAME": mapping.PRACTICE_NAME, "PCN_CODE": mapping.PCN_ODS_CODE, "PCN_NAME": mapping.PCN_NAME,
        "SUB_ICB_LOCATION_CODE": mapping.SUB_ICB_ODS_CODE, "ICB_CODE": mapping.ICB_ODS_CODE,
        "ICB_NAME": mapping.ICB_NAME, "COMM_REGION_CODE": mapping.REGION_ODS_CODE,
        "COMM_REGION_NAME": mapping.REGION_NAME}).to_csv(index=False)


def test_two_registrations_maps_of_one_year_use_the_month_nearest_31_march(demo_copy, tmp_path):
    qof = demo_copy / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv"
    mapping = pd.read_csv(qof, dtype=str)
    qof.unlink()  # the registrations' maps are the only mapping of 2023-24
    (demo_copy / "gp-reg-pat-prac-map-jan-2024.csv").write_text(registrations_map(mapping, "01JAN2024"))
    moved = mapping.copy()
    moved.loc[moved.PRACTICE_CODE == "Z00001", ["PCN_ODS_CODE", "PCN_NAME"]] = ["U90002", "Demo PCN 0002 (synthetic)"]
    (demo_copy / "gp-reg-pat-prac-map-apr-2024.csv").write_text(registrations_map(moved, "01APR2024"))
    result = store.build(demo_copy, tmp_path / "months.duckdb")
    assert not result.report.errors
    assert any("01 Apr 2024 is used" in w.message and "01 Jan 2024 left out" in w.message
               for w in result.report.warnings), result.report.text()
    con = duckdb.connect(str(tmp_path / "months.duckdb"), read_only=True)
    rows = dict(con.execute("SELECT practice_code, pcn_code FROM practice_pcn WHERE period = '2023-24'").fetchall())
    con.close()
    assert len(rows) == len(mapping) and rows["Z00001"] == "U90002"  # April's map, every practice


def test_the_same_month_of_the_registrations_map_twice_is_one_or_refused(demo_copy, db_copy):
    mapping = pd.read_csv(demo_copy / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv", dtype=str)
    (demo_copy / "gp-reg-pat-prac-map-apr-2024.csv").write_text(registrations_map(mapping, "01APR2024"))
    (demo_copy / "gp-reg-pat-prac-map-copy.csv").write_text(registrations_map(mapping, "01APR2024") + "\n")
    # the same map twice (a copy, a CSV beside its Parquet): one, said; not counted twice
    result = store.build(demo_copy, db_copy)
    assert any(w.file == "gp-reg-pat-prac-map-copy.csv" and "map every practice alike" in w.message
               for w in result.report.warnings)
    # the same month twice, mapping practices otherwise: which is meant is not for the tool to guess
    changed = mapping.copy()
    changed.loc[0, "PCN_ODS_CODE"] = changed.loc[len(changed) - 1, "PCN_ODS_CODE"]
    (demo_copy / "gp-reg-pat-prac-map-copy.csv").write_text(registrations_map(changed, "01APR2024"))
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, db_copy)
    assert "holds the same data as gp-reg-pat-prac-map-apr-2024.csv" in str(failed.value)


# -- 14. The database replaced while the app runs --------------------------------------------------------------


def not_duckdb(path):
    path.write_bytes(b"not a database " * 1000)


def truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 4096])


def other_schema(path):
    other = path.with_name("other.duckdb")
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE something_else (x INTEGER)")
    con.close()
    path.write_bytes(other.read_bytes())


@pytest.mark.parametrize("spoil", [not_duckdb, truncated, other_schema, lambda p: p.write_bytes(b"")],
                         ids=["not DuckDB", "truncated", "another schema", "empty"])
def test_a_database_replaced_while_the_app_runs_is_named_plainly_and_recovers(db_copy, spoil):
    good = db_copy.read_bytes()
    at = app_on(db_copy, "pages/1_PCN_profile.py")
    shown = [t.value for t in at.title]
    spoil(db_copy)
    at.run()
    assert not at.exception, at.exception
    [error] = at.error
    assert text.markdown("copy.duckdb cannot be read") in error.value
    assert text.markdown("python -m phm_profile build") in error.value
    assert not at.title  # stopped: nothing of the page drawn
    db_copy.write_bytes(good)  # restored: shown again
    at.run()
    assert not at.exception and not at.error and [t.value for t in at.title] == shown


def test_connection_to_a_spoiled_database_raises_a_plain_error(db_copy):
    not_duckdb(db_copy)
    with pytest.raises(database.DatabaseUnreadable, match="copy.duckdb cannot be read"):
        database.connection(db_copy)


# -- 15. Unknown and look-alike PCN codes; a unit cost too large to be money -------------------------------------

PCNS = {"U90001": ["2022-23", "2023-24"], "U90002": ["2023-24"], "U90041": ["2019-20", "2020-21"]}


@pytest.mark.parametrize("code, said", [
    ("U99999", "'U99999' is not a PCN in any practice-to-PCN mapping loaded"),
    ("U90\u200b001", "an invisible character (U+200B"),
    ("U９0001", "U+FF19 FULLWIDTH DIGIT NINE"),
    ("U9001", "is not a PCN code (U then five digits"),
])
def test_an_unknown_or_look_alike_pcn_code_is_refused_by_row_and_column(code, said):
    with pytest.raises(workforce.StaffingFileError) as refused:
        staffing(f"U90001,adult,7,1,2022-01-01,\n{code},cyp,6,1,2022-01-01,\n", PCNS)
    assert "s.csv, row 3, column pcn_code: " in str(refused.value) and said in str(refused.value)


@pytest.mark.parametrize("code", ["U90\u200b001", "U９0001"])
def test_a_look_alike_code_is_refused_without_a_mapping_too(code):
    with pytest.raises(workforce.StaffingFileError, match="row 2, column pcn_code"):
        staffing(f"{code},adult,7,1,2022-01-01,\n")


def test_a_code_of_an_earlier_mapping_is_accepted_and_said():
    read, notes = workforce.staffing_and_notes(
        (STAFFING_HEADER + "U90041,adult,7,1,2020-01-01,\n").encode(), "s.csv", PCNS)
    assert read.pcn_code.tolist() == ["U90041"]
    assert any(str(n).startswith("s.csv, row 2, column pcn_code: U90041") and "2019-20 to 2020-21" in str(n)
               for n in notes)


def test_the_codes_a_staffing_file_is_checked_against_are_the_loaded_mappings(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    codes = store.pcn_codes(con)
    con.close()
    assert "U90001" in codes and "2023-24" in codes["U90001"] and "U99999" not in codes


def test_a_folder_staffing_file_with_an_unknown_pcn_is_refused(demo_copy, db_copy):
    before = db_copy.read_bytes()
    path = demo_copy / "staffing" / "mhp_staffing.csv"
    path.write_text(path.read_text() + "U99999,adult,7,1.0,2022-01-01,\n")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, db_copy)
    assert any((e.file, e.row, e.column) == ("staffing/mhp_staffing.csv", 20, "pcn_code")
               for e in failed.value.report.errors), failed.value.report.text()
    assert db_copy.read_bytes() == before


def test_the_staffing_dialog_refuses_an_unknown_pcn(demo_db):
    at = app_on(demo_db, "pages/6_MHP_impact.py")
    upload_in_staffing_dialog(at, "s.csv", f"{STAFFING_HEADER}U99999,adult,7,1,2022-01-01,\n".encode())
    assert any(text.markdown("s.csv, row 2, column pcn_code: 'U99999' is not a PCN") in e.value for e in at.error)


def test_a_unit_cost_too_large_to_be_money_is_refused():
    did = pd.DataFrame([{"pcn_code": "All that started", "estimate": -1.0, "lower": -2.0, "upper": 0.0,
                         "exposure_after": 1000.0}])
    with pytest.raises(ValueError, match="too large"):
        impact.return_on_investment(did, "cmht_referrals", 1000.0, 1e308)
    fine = impact.return_on_investment(did, "cmht_referrals", 1000.0, impact.MAX_UNIT_COST)
    assert fine["value"] == pytest.approx(impact.MAX_UNIT_COST)


def test_the_roi_view_never_shows_inf_as_money(demo_db):
    at = app_on(demo_db, "pages/6_MHP_impact.py")
    at = open_view(at, "Return on investment")
    at.number_input(key="roi_unit_cost").set_value(1e308).run()
    assert not at.exception
    said = " ".join(shown_as_markdown(at))
    assert "inf" not in said.replace("info", "") and "nan" not in said
