import streamlit as st

from phm_profile import charts, ui, views

sel = ui.sidebar()
profile = views.pcn_profile(sel.db, sel.pcn_code, sel.period, sel.suppress)
st.title(f"{profile.pcn_name.iloc[0]} ({sel.pcn_code})" if len(profile) else "PCN profile")
st.caption(f"Mental-health profile, {sel.period}; compared with ICB {sel.icb_code} and England (95% intervals).")
tiles = views.headline(profile, ["list_size", "prev_mh", "prev_dep", "prev_dem", "prev_ld", "imd_score"])
for col, row in zip(st.columns(len(tiles) or 1), tiles.itertuples()):
    col.metric(row.label, f"{row.value:,.2f}" if row.kind != "count" else f"{row.value:,.0f}",
               help=f"ICB {row.icb_value:,.2f}; England {row.england_value:,.2f}; {row.vs_england} than England")
st.subheader("Summary")
for sentence in views.summary_sentences(profile):
    st.markdown(f"- {sentence}")

st.subheader("Spine chart")
st.caption("Each dot is the PCN's value within the range of all PCNs in England (grey bar), centred on England; "
           "the line marks the ICB. Colour: higher / similar / lower than England at 95%.")
ui.chart(charts.spine_chart(profile, views.england_range(sel.db, sel.period)), profile,
         f"profile_{sel.pcn_code}_{sel.period}.csv", "spine")

left, right = st.columns(2)
with left:
    st.subheader("Where mental health ranks among long-term conditions")
    ranks = views.ltc_ranks(sel.db, sel.pcn_code, sel.period, sel.suppress)
    ui.chart(charts.ltc_rank_chart(ranks), ranks, f"ltc_rank_{sel.pcn_code}_{sel.period}.csv", "ltc")
with right:
    st.subheader("Age and sex")
    pyramid = views.age_pyramid(sel.db, sel.pcn_code, sel.period, sel.suppress)
    ui.chart(charts.age_pyramid(pyramid), pyramid, f"age_sex_{sel.pcn_code}_{sel.period}.csv", "pyramid")
    st.subheader("Deprivation (IMD 2019 quintiles)")
    quintiles = views.imd_quintiles(sel.db, sel.pcn_code, sel.icb_code, sel.period, sel.suppress)
    ui.chart(charts.quintile_chart(quintiles), quintiles, f"imd_quintiles_{sel.pcn_code}_{sel.period}.csv", "imd")

st.subheader("Service usage")
usage = views.service_usage(profile)
ui.chart(charts.interval_chart(usage), usage, f"service_usage_{sel.pcn_code}_{sel.period}.csv", "usage")

st.subheader("Trends")
trend = views.trends(sel.db, sel.pcn_code, ("prev_mh", "prev_dep", "prev_dem", "prev_ld"), sel.suppress)
ui.chart(charts.trend_chart(trend), trend, f"trends_{sel.pcn_code}.csv", "trends")

st.subheader("All indicators")
ui.table(profile[["label", "kind", "numerator", "denominator", "value", "lower_95", "upper_95", "icb_value",
                  "england_value", "vs_icb", "vs_england"]])
ui.csv_download(profile, f"profile_{sel.pcn_code}_{sel.period}.csv", "profile_csv")
