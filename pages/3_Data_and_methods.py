import streamlit as st

from phm_profile import config, own_data, store, ui, views, wording

sel = ui.sidebar()
ui.title("Data & methods", sel, "")

st.subheader("Privacy")
suppress = st.toggle("Small-number suppression", value=ui.suppression_on(), key="suppress_toggle",
                     disabled=config.SUPPRESSION_LOCKED,
                     help="On: counts of 1-7 patients are hidden and other counts rounded to the nearest 5 on every "
                          "screen, chart and export; figures computed from a hidden count are hidden too.")
if config.SUPPRESSION_LOCKED:
    st.caption("This server keeps suppression on for everyone (started with PHM_SUPPRESSION=always).")
elif suppress != ui.suppression_on():
    st.session_state["_suppress"] = suppress
    st.rerun()
st.caption("Nothing leaves this machine: the data, the database and every chart stay here.")

st.subheader("Load your own extracts")
st.markdown(
    f"Upload the published extracts (CSV, XLSX, Parquet; LSOA boundaries as GeoJSON). Each file may be up to "
    f"{own_data.MAX_UPLOAD_MB} MB (`server.maxUploadSize` in `.streamlit/config.toml`); for national files use the "
    "command line: `python -m phm_profile build --data FOLDER --db FILE`. The data shown now is replaced only "
    "when every file passes its checks. Your upload is kept for this browser session only: nobody else using "
    "this server sees it, and a copied link carries the view (ICB, PCN, year), not the uploaded data."
)
uploads = st.file_uploader("Extracts", accept_multiple_files=True, key="own_files",
                           type=["csv", "xlsx", "xlsm", "parquet", "geojson", "geoparquet"])
if st.button("Check and build", disabled=not uploads, key="own_build"):
    with st.spinner("Checking and building ..."):
        try:
            own_data.remove_old_uploads()
            result = own_data.build_from_uploads([(f.name, f.getvalue()) for f in uploads],
                                                 own_data.session_database(st.session_state))
        except store.BuildFailed as failed:
            st.session_state["_last_report"] = failed.report
            st.session_state["_last_ok"] = False
        else:
            st.session_state["_last_report"] = result.report
            st.session_state["_last_ok"] = True
            st.session_state["_last_staffing"] = ui.carry_staffing(sel.db, result)  # kept or replaced, said
            st.session_state["_database"] = str(result.db_path)
            st.cache_data.clear()  # the user's database is rebuilt at the same path: forget its old figures
            st.rerun()
report = st.session_state.get("_last_report")
if report is not None:
    if st.session_state.get("_last_ok"):
        st.success(f"Built your database; it is now shown. Warnings: {len(report.warnings)}. "
                   + ui.plain(st.session_state.get("_last_staffing", "")))
    else:
        st.error(f"Nothing was changed: {len(report.errors)} problem(s) stop the build. Each names the file, "
                 "the row (the header is row 1) and the column.")
    st.code(report.text() or "No problems.", language=None, wrap_lines=True)
if ui.database_path() != ui.DEFAULT_DB:
    st.info("Showing your own data (uploaded in this browser session).")
    if st.button("Switch back to the demo data", key="own_back"):
        st.session_state.pop("_database", None)
        st.session_state.pop("_last_report", None)
        st.rerun()

st.subheader("Sources loaded")
ui.table(views.sources(sel.db, sel.suppress))
st.subheader("What each year uses")
st.caption("A monthly extract stands for the financial year whose end (31 March) lies nearest, and of a year's "
           "months the one nearest that 31 March is used (April 2025 for 2024-25). A year with no registrations "
           "of its own uses the nearest year's. Without registrations by LSOA, deprivation is that of each "
           "practice's own LSOA (from its location), weighted by its patients.")
ui.table(views.period_sources(sel.db))
warnings = views.build_warnings(sel.db)
st.subheader(f"Warnings from the last build ({len(warnings)})")
ui.table(warnings)
st.subheader("Indicators")
st.caption("Every indicator as defined in data/indicators.csv: what is counted, the method of its value "
           "and intervals, and its source. Polarity: whether a higher value is better, worse or neither (as Fingertips colours them).")
for domain, paragraphs in wording.definitions(views.indicator_definitions(sel.db)).items():
    with st.expander(f"{domain} ({len(paragraphs)})"):
        ui.bullets(paragraphs)
st.subheader("Expected prevalence (recorded vs expected)")
st.caption("The share of people expected to have a common mental disorder (CMD, compared with the depression "
           "register) or a psychotic disorder (SMI, compared with the SMI register), by sex and age, applied to "
           "each area's registered patients in five-year bands. To use other rates, load a CSV with the columns "
           "CONDITION, SEX, AGE_FROM, AGE_TO, EXPECTED_RATE (a share: 9.1% is 0.091) and optionally SOURCE with "
           "the extracts; it replaces this table for that build.")
ui.table(views.expected_rates(sel.db))
st.caption("Published survey figures are used where FACTS.md found them (APMS 2014 common mental disorders for "
           "16-24s; APMS 2007 psychotic disorder by age and sex); the other cells are assumptions, marked so. "
           "The QOF SMI register counts everyone ever diagnosed with schizophrenia, bipolar disorder or another "
           "psychosis, of any age and in remission too, while the survey counts adults with a psychotic disorder "
           "in the past year: the register runs about twice the survey rate (England 1.0% against about 0.4-0.5%), "
           "so 'recorded SMI as % of expected' near 200% is what complete recording looks like, not a case-finding "
           "gap.")
st.subheader("Methods")
st.markdown(
    "- Prevalence = sum of practice registers / sum of the register's list (DEP: 18+), never an average of rates.\n"
    "- Proportions: Wilson score interval; rates and counts: Byar's method, exact Poisson below 10 events "
    "(PHEindicatormethods, as Fingertips).\n"
    "- Higher / similar / lower: the benchmark lies below / inside / above the PCN's 95% interval.\n"
    "- Funnel plots: control limits at 95% (2 s.d.) and 99.8% (3 s.d.) as PHEindicatormethods draws them: for "
    "proportions (Wilson-based) and rates per 1,000 (exact Poisson) around the ICB's pooled value; for recorded "
    "vs expected prevalence (exact Poisson on the observed count) around 100%. Each PCN is labelled High or Low "
    "(0.025 or 0.001) or Not significant.\n"
    "- IMD: each LSOA's score in the index of deprivation weighted by the practice's registered patients living "
    "there. Each index applies to LSOAs of its own edition (IMD 2019 on 2011 LSOAs, IMD 2025 on 2021 LSOAs); a year "
    "uses the latest edition loaded that was published before the year ended (an edition of year E serves the "
    "years ending 31 March E+1 onwards), else the earliest loaded; the table above names each year's. Scores of "
    "two editions are never put in one trend or comparison.\n"
    "- Small numbers: counts of 1-7 suppressed, others rounded to the nearest 5; a count that could be found by "
    "subtraction within a table is suppressed too (NHS Digital practice). A PCN's practices: where one practice's "
    "count is hidden, the next smallest of the PCN is hidden with it, so the PCN's total minus the others gives "
    "no small count back.\n"
    "- Your own areas: every figure of an area is the sum of its practices' released counts (a practice whose "
    "count is hidden is left out of every area, and counted), its value and interval worked from those sums. Areas "
    "are chosen by the user, so an attacker could choose them: built this way, the difference of two areas (A + p "
    "minus A, or A + p minus A + q) or a least-squares solution over many overlapping areas gives back at most "
    "practice counts already released, never a hidden one (no perturbation is added)."
)
