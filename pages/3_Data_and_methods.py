import streamlit as st

from phm_profile import ui, views

sel = ui.sidebar()
st.title("Data & methods")
st.subheader("Sources loaded")
st.dataframe(views.sources(sel.db), hide_index=True)
warnings = views.build_warnings(sel.db)
st.subheader(f"Warnings from the last build ({len(warnings)})")
st.dataframe(warnings, hide_index=True)
st.subheader("Indicators")
st.dataframe(views.indicator_choices(sel.db), hide_index=True)
st.subheader("Methods")
st.markdown(
    "- Prevalence = sum of practice registers / sum of the register's list (DEP: 18+), never an average of rates.\n"
    "- Proportions: Wilson score interval; rates and counts: Byar's method, exact Poisson below 10 events "
    "(PHEindicatormethods, as Fingertips).\n"
    "- Higher / similar / lower: the benchmark lies below / inside / above the PCN's 95% interval.\n"
    "- Funnel plots: Spiegelhalter control limits at 95% (2 s.d.) and 99.8% (3 s.d.) around the ICB's pooled value.\n"
    "- IMD: each LSOA's IMD 2019 score weighted by the practice's registered patients living there."
)
