"""MHPs in post from NHS England's PCN Workforce (readers/pcn_workforce.py, mhp.py, page 7) on the demo and on
files made wrong on purpose. The real June 2026 edition is tested in test_real_data.py."""

import shutil
import zipfile

import pandas as pd
import pytest
from conftest import ROOT, open_view, tiles
from streamlit.testing.v1 import AppTest

from phm_profile import database, demo, impact, mhp, store

HEADER = ("Data_source,CENSUS_YEAR,CENSUS_MONTH,PCN_CODE,PCN_NAME,SUB_ICB_CODE,SUB_ICB_NAME,ICB_CODE,ICB_NAME,"
          "COMM_REGION_CODE,COMM_REGION_NAME,STAFF_GROUP,STAFF_ROLE,DETAILED_STAFF_ROLE,FTE,UNIQUE_IDENTIFIER\n")
ADULT = ("Other Direct Patient Care staff,Mental Health and Wellbeing Practitioners (Mental Health Practitioners),"
         "Mental Health and Wellbeing Practitioner (Mental Health Practitioner - Adult)")


def row(pcn: str, fte: str, person: str = "1", source: str = "NWRS Staff", role: str = ADULT) -> str:
    return f"{source},2024,6,{pcn},DEMO PCN,99X,Demo - 99X,QZA,NHS Demo,Y99,Demo,{role},{fte},{person}\n"


def con_of(db):
    return database.connection(database.database_key(db))


def test_demo_editions_match_its_staffing_file(demo_db, demo_dir):
    """Each demo edition counts the staffing file's posts started by its census; September 2021 counts no MHPs;
    one PCN makes no return in the latest; a start between two editions is a window."""
    con = con_of(demo_db)
    editions = mhp.editions(con)
    assert list(editions.label) == ["2024-03", "2023-09", "2023-03", "2022-09", "2022-03", "2021-09"]
    assert list(editions.counts_mhps) == [True] * 5 + [False]
    staffing = pd.read_csv(demo_dir / demo.STAFFING_FILE, parse_dates=["start_date"])
    totals = mhp.england_totals(con).set_index("census")
    for census in editions.census[editions.counts_mhps]:
        started = staffing[staffing.start_date <= census + pd.offsets.MonthEnd(0)]
        if census == editions.census.iloc[0]:
            started = started[started.pcn_code != demo.NO_RETURN_PCN]
        assert totals.loc[census, "mhp_fte"] == pytest.approx(started.wte.sum())
    latest = mhp.in_post(con, "2023-24", editions.census.iloc[0], suppress=True).set_index("pcn_code")
    assert latest.loc[demo.NO_RETURN_PCN, "status"] == mhp.NO_RETURN
    assert pd.isna(latest.loc[demo.NO_RETURN_PCN, "mhp_fte"])
    assert (latest.loc[latest.status == mhp.RETURN, "mhp_fte"] == 0).sum() == 25  # 40 PCNs, 14 with MHPs, 1 absent
    windows = mhp.start_windows(con).set_index(["pcn_code", "role"])
    first = staffing.groupby(["pcn_code", "role"]).start_date.min()  # each role its own first MHP
    for key, w in windows.iterrows():
        if pd.notna(w.none_at):  # the MHP started after the census before, by the first census with one
            assert w.none_at < first[key] <= w.first_seen + pd.offsets.MonthEnd(0), key
    assert windows.none_at.notna().sum() >= 3
    # The MHP pages' staffing where no local file is loaded: windows as start dates, said as windows.
    frame = mhp.staffing(con, editions.census.iloc[0])
    windowed = frame.dropna(subset=["start_date"])
    assert len(windowed) and windowed.window_from.notna().all()
    code = next(iter(impact.windows(frame)))  # a PCN whose every post has a start (a window)
    assert impact.start_words(impact.starts(frame)[code], impact.windows(frame)[code]).endswith("(a window)")


def test_a_start_window_leaves_the_months_between_the_two_editions_out():
    """Hand-worked: a window opened in March and closed in September: before is the 12 months to February, after
    the 12 months from October; March to September are changeover."""
    months = pd.date_range("2021-01-01", "2023-12-01", freq="MS")
    series = pd.DataFrame({"month": months, "events": 1.0, "exposure": 10.0})
    measure = impact.MEASURES["cmht_referrals"]
    series = series.rename(columns={"events": measure.events, "exposure": measure.exposure})
    totals = impact._window_totals(series, pd.Timestamp("2022-09-01"), measure, pd.Timestamp("2022-03-01"))
    assert totals["before"][2] == 12 and totals["after"][2] == 12
    before = series[(series.month >= "2021-03-01") & (series.month < "2022-03-01")]
    assert totals["before"][0] == before[measure.events].sum()


def _series(codes, months, events=1.0, exposure=10.0):
    measure = impact.MEASURES["cmht_referrals"]
    return pd.DataFrame([{"pcn_code": c, "month": m, **dict.fromkeys(impact.COUNTS, 0.0), measure.events: events,
                          measure.exposure: exposure} for c in codes for m in months])


def _posts(rows):
    frame = pd.DataFrame(rows, columns=list(mhp.STAFFING_COLUMNS))
    for column in mhp.STAFFING_COLUMNS[4:]:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame


def test_the_event_series_leaves_a_windows_months_out_and_counts_before_from_its_opening():
    """Hand-worked: a PCN's MHP started between the March and September 2022 censuses: months March to August are
    changeover (left out), month -1 is February, 0 is September."""
    months = pd.date_range("2021-01-01", "2023-12-01", freq="MS")
    staffing = _posts([("A", "adult", None, 1.0, "2022-09-01", None, "2022-03-01", "2024-03-01")])
    out = impact.event_series(_series(["A", "B"], months), staffing, "cmht_referrals", suppress=False)
    own = out[out.group == "PCNs with MHPs"].month_from_start
    assert list(own) == list(range(-12, 0)) + list(range(0, 13))
    assert impact.windows(staffing) == {"A": pd.Timestamp("2022-03-01")}


def test_comparison_pcns_leave_out_those_not_known_and_those_seen_with_an_mhp():
    """B made no return (its MHPs not known) and C had an MHP in an earlier edition (seen) though no staffing row
    says so: neither is a comparison PCN for A; D is. Each PCN's series is 1 event in 10 a month, D's 3 in 10."""
    months = pd.date_range("2021-01-01", "2023-12-01", freq="MS")
    series = pd.concat([_series(["A", "B", "C"], months), _series(["D"], months, events=3.0)])
    staffing = _posts([("A", "adult", "7", 1.0, "2022-06-01", None, None, None)])
    every = impact.difference_in_differences(series, staffing, "cmht_referrals", suppress=False)
    kept = impact.difference_in_differences(series, staffing, "cmht_referrals", suppress=False,
                                            unknown={"B"}, seen={"C": pd.Timestamp("2022-03-01")})
    per = impact.MEASURES["cmht_referrals"].multiplier
    assert kept.iloc[0].comparison_before == pytest.approx(3 / 10 * per)  # D alone
    assert every.iloc[0].comparison_before == pytest.approx((1 + 1 + 3) / 30 * per)
    later = impact.difference_in_differences(series, staffing, "cmht_referrals", suppress=False,
                                             seen={"C": pd.Timestamp("2025-03-01")})  # after A's after window
    assert later.iloc[0].comparison_before == every.iloc[0].comparison_before


def test_a_staffing_file_takes_precedence_only_for_the_pcns_it_lists():
    published = _posts([("A", "adult", None, 2.0, None, None, None, "2024-03-01"),
                        ("B", "cyp", None, 1.0, "2023-09-01", None, "2023-03-01", "2024-03-01")])
    local = _posts([("A", "adult", "6", 1.0, "2021-05-01", None, None, None)])[list(mhp.STAFFING_COLUMNS[:6])]
    used = mhp.compose_staffing(local, published, pd.Timestamp("2024-03-01"), "2023-24", ["A", "C"])
    assert sorted(zip(used.frame.pcn_code, used.frame.wte)) == [("A", 1.0), ("B", 1.0)]
    assert used.unknown == {"C"}  # A's file row speaks for it; C has neither
    assert "for its 1 PCN," in used.source and "March 2024 for every other PCN" in used.source
    alone = mhp.compose_staffing(local.iloc[:0], published, pd.Timestamp("2024-03-01"), "2023-24")
    assert alone.when == "in post at the March 2024 census" and len(alone.frame) == 2
    none = mhp.compose_staffing(local.iloc[:0], published.iloc[:0], None, "2023-24")
    assert none.source.startswith("no staffing loaded") and none.frame.empty


def test_an_unchanged_staffing_table_is_not_an_edit_and_keeps_its_windows():
    """The dialog's table round-trips through CSV (a band None comes back NaN): the same posts are the same; a
    post edited in WTE keeps the window its MHP started in; one re-dated is the user's own."""
    published = _posts([("B", "cyp", None, 1.0, "2023-09-01", None, "2023-03-01", "2024-03-01")])
    echoed = published[list(mhp.STAFFING_COLUMNS[:6])].assign(band=float("nan"))
    assert mhp.same_posts(echoed, published)
    assert not mhp.same_posts(echoed.assign(wte=0.5), published)
    kept = mhp.with_published_dates(echoed.assign(wte=0.5), published)
    assert kept.window_from.iloc[0] == pd.Timestamp("2023-03-01") and kept.as_at.notna().all()
    moved = mhp.with_published_dates(echoed.assign(start_date=pd.Timestamp("2023-05-01")), published)
    assert moved.window_from.isna().all() and moved.as_at.isna().all()


def test_the_edition_used_for_each_year_on_the_demo(demo_db):
    con = con_of(demo_db)
    assert mhp.staffing_edition(con, "2023-24") == pd.Timestamp("2024-03-01")  # the latest year: the latest
    assert mhp.staffing_edition(con, "2022-23") == pd.Timestamp("2023-03-01")  # in post by 31 March 2023
    assert mhp.staffing_edition(con, "2021-22") == pd.Timestamp("2022-03-01")
    assert mhp.staffing_edition(con, "2019-20") == pd.Timestamp("2022-03-01")  # none by then: the first counted
    # Each role's first MHP has its own window: a PCN's CYP post may start years after its adult one.
    windows = mhp.start_windows(con)
    assert set(windows.role) == {"adult", "cyp"}
    seen = mhp.first_seen(windows)
    assert seen and all(seen[c] == windows[windows.pcn_code == c].first_seen.min() for c in seen)


def test_the_page_on_the_demo_shows_in_post_against_entitlement_and_need(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"period": "2023-24", "icb": "QZA", "pcn": "U90001"})
    at.run()
    at.switch_page("pages/7_MHPs_in_post.py").run()
    assert not at.exception and not at.error
    shown = {t.label: t for t in tiles(at)}
    con = con_of(demo_db)
    latest = mhp.england_totals(con).iloc[-1]
    assert shown["MHP FTE in post"].value == f"{latest.mhp_fte:,.1f}"
    assert shown["No return"].value == "1"
    assert any("fewer MHP FTE per 10,000 than England" in m.value for m in at.markdown)
    table = open_view(at, "Table").dataframe[0].value
    assert len(table) == 40 and "In post minus need" in table.columns
    assert (table["In post minus need"].dropna().diff().dropna() >= -1e-9).all()  # the largest shortfall first
    assert table.loc[table["PCN code"] == demo.NO_RETURN_PCN, "In the PCN Workforce"].iloc[0].startswith("No return")
    at.radio(key="mhp_scope").set_value("This ICB").run()
    assert len(at.dataframe[0].value) < 40
    # The early edition says it counts no MHPs: not 0.
    at.selectbox(key="mhp_edition").set_value("2021-09").run()
    assert any("counts no Mental Health Practitioners" in w.value for w in at.warning)
    assert {t.value for t in tiles(at) if t.label == "MHP FTE in post"} == {"not known"}
    for label in ("Map", "Over time", "PCN team", "About the data"):
        assert not open_view(at, label).exception, label


def test_the_mhp_pages_use_the_latest_edition_without_a_staffing_file(demo_copy, tmp_path, monkeypatch):
    shutil.rmtree(demo_copy / "staffing")
    db = tmp_path / "no_staffing.duckdb"
    assert not store.build(demo_copy, db).report.errors
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at.run()
    for page in ("pages/4_Workforce_plan.py", "pages/5_MHP_allocation.py", "pages/6_MHP_impact.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error, page
        said = " ".join([c.value for c in at.caption] + [m.value for m in at.markdown])
        assert "NHS England, Primary Care Network Workforce, March 2024" in said, page
    # The PCN with no row in the edition is "no return" on the MHP pages, not 0 MHPs.
    icb = con_of(db).execute("SELECT icb_code FROM pcn_need_inputs WHERE pcn_code = ? AND period = '2023-24'",
                             [demo.NO_RETURN_PCN]).fetchall()[0][0]
    at.query_params.update({"period": "2023-24", "icb": icb, "pcn": demo.NO_RETURN_PCN})
    at.switch_page("pages/6_MHP_impact.py").run()
    listed = " ".join(m.value for m in at.markdown)
    assert "No return in the PCN Workforce** (1; MHPs not known, not 0)" in listed
    at.switch_page("pages/4_Workforce_plan.py").run()
    at.sidebar.selectbox(key="sidebar_pcn").select(demo.NO_RETURN_PCN).run()
    assert any("made no return in the PCN Workforce edition" in c.value for c in at.caption), (at.title[0].value, [c.value[:80] for c in at.caption])
    at.switch_page("pages/5_MHP_allocation.py").run()
    assert any(demo.NO_RETURN_PCN in c.value and "made no return" in c.value for c in at.caption)


def _folder_with(demo_copy, files: dict[str, bytes]):
    shutil.rmtree(demo_copy / "pcn_workforce")
    (demo_copy / "pcn_workforce").mkdir()
    for name, data in files.items():
        (demo_copy / "pcn_workforce" / name).write_bytes(data)
    return demo_copy


def test_rows_that_do_not_fit_are_named_by_file_row_and_column(demo_copy, tmp_path):
    text = HEADER + row("U90001", "1.0") + row("U90001", "-0.5", "2") + row("U99999", "112.0", "3") \
        + row("U90004", "0.8", "", "NWRS contracted services") + row("U90001", "0.5", "1.0")
    folder = _folder_with(demo_copy, {"june.csv": text.encode("utf-8-sig")})
    result = store.build(folder, tmp_path / "w.duckdb")
    assert not result.report.errors, result.report.text()
    said = {(w.file, w.row, w.column): w.message for w in result.report.warnings if w.file.endswith("june.csv")}
    assert "negative FTE left out" in said[("pcn_workforce/june.csv", 3, "FTE")]
    assert "U99999" in said[("pcn_workforce/june.csv", 4, "PCN_CODE")]
    con = con_of(tmp_path / "w.duckdb")
    frame = mhp.export_frame(con).set_index("pcn_code")
    assert frame.loc["U90001", "mhp_fte"] == 1.5 and frame.loc["U90001", "mhp_headcount"] == 1  # 1 and 1.0: one person
    assert frame.loc["U99999", "mhp_fte"] == 112.0  # kept under its code, in the export
    assert frame.loc["U90004", "mhp_fte_contracted"] == 0.8 and frame.loc["U90004", "mhp_headcount"] == 0


def test_two_files_of_one_census_month_are_refused_and_the_loaded_data_kept(demo_copy, demo_db, tmp_path):
    text = (HEADER + row("U90001", "1.0")).encode()
    zipped = tmp_path / "PCNWFIndividualCSV.062024.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("1.Primary Care Networks - June 2024 Individual Level.csv", (HEADER + row("U90001", "2.0")).encode())
    folder = _folder_with(demo_copy, {"june.csv": text, zipped.name: zipped.read_bytes()})
    target = tmp_path / "kept.duckdb"
    shutil.copy(demo_db, target)
    before = target.read_bytes()
    with pytest.raises(store.BuildFailed) as failed:
        store.build(folder, target)
    errors = [e for e in failed.value.report.errors if e.column == "CENSUS_MONTH"]
    assert errors and "June 2024" in errors[0].message
    assert target.read_bytes() == before  # the database already built is left as it was


@pytest.mark.parametrize("broken, column, severity", [
    (HEADER + row("U90001", "one"), "FTE", "error"),
    (HEADER + row("U90001", "1.0").replace(",2024,6,", ",2024,13,"), "CENSUS_MONTH", "error"),
    (HEADER.replace(",FTE", ",WTE") + row("U90001", "1.0"), "FTE", "error"),
    (HEADER + row("U90001", "1.0") + "NWRS Staff,2024,6,U90001", None, "error"),  # cut short
    (HEADER + row("U9OOO1", "1.0"), "PCN_CODE", "warning"),  # a code of an unexpected shape: kept, and said
])
def test_a_file_that_cannot_be_read_faithfully_is_refused(demo_copy, tmp_path, broken, column, severity):
    folder = _folder_with(demo_copy, {"june.csv": broken.encode()})
    try:
        report = store.build(folder, tmp_path / "w.duckdb").report
    except store.BuildFailed as failed:
        report = failed.report
    named = [e for e in report.issues if e.file == "pcn_workforce/june.csv" and e.severity == severity]
    assert named, report.text()
    assert column is None or any(e.column == column for e in named), [str(e) for e in named]
    assert bool(report.errors) == (severity == "error")


def test_the_in_post_workbook_reads_back_with_its_caveats_and_no_formula(demo_db):
    import io

    from phm_profile import exports, workforce

    con = con_of(demo_db)
    census = mhp.editions(con).census.iloc[0]
    frame = mhp.in_post(con, "2023-24", census, suppress=True)
    frame.loc[frame.index[0], "pcn_name"] = "=HYPERLINK(\"http://example.invalid\")"  # a hostile name from a file
    table = mhp.table_view(mhp.table(frame, "2023-24"))
    data = exports.mhp_in_post_xlsx(table, "MHPs in post against need, England", "March 2024", mhp.CAVEATS,
                                    workforce.Assumptions(), True)
    book = pd.read_excel(io.BytesIO(data), sheet_name=None, header=exports.XLSX_HEADER_ROW)
    assert {"In post", "Caveats", "Assumptions"} <= set(book)
    sheet = book["In post"]
    assert len(sheet) == len(table) and sheet["MHP FTE in post"].sum() == pytest.approx(table["MHP FTE in post"].sum())
    assert not sheet["PCN"].astype(str).str.startswith("=").any()
    assert len(book["Caveats"]) == len(mhp.CAVEATS)


@pytest.mark.parametrize("measure", list(mhp.NEED_MEASURES))
def test_the_pcns_with_no_mhp_are_listed_highest_need_first_by_the_chosen_measure(demo_db, measure):
    """The list beside the scatter and the sentence above it agree: both order by the measure on the x axis."""
    con = con_of(demo_db)
    editions = mhp.editions(con)
    census = editions[editions.counts_mhps.astype(bool)].census.max()
    frame = mhp.table(mhp.in_post(con, "2023-24", census, suppress=True), "2023-24")
    view = mhp.no_mhp_view(frame, measure)
    values = view[mhp.NEED_MEASURES[measure]]
    assert len(view) == ((frame.status == mhp.RETURN) & (frame.mhp_fte == 0)).sum() > 1
    assert values.is_monotonic_decreasing
    said = mhp.sentences(mhp.placed(frame, measure, mhp.with_quadrant_lines(frame, measure)), "March 2024",
                         "England", "2023-24", measure)[1]
    assert said.endswith(", ".join(view.PCN.astype(str).head(3)) + ".")
    assert f"highest {mhp.NEED_WORDS[measure]} per 10,000" in said
