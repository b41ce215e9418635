import streamlit as st

from phm_profile import charts, ui, views

sel = ui.sidebar()
profile = views.pcn_profile(sel.db, sel.pcn_code, sel.period)
st.title(f"{profile.pcn_name.iloc[0]} ({sel.pcn_code})" if len(profile) else "PCN profile")
st.caption(f"Mental-health profile, {sel.period}; compared with ICB {sel.icb_code} and England (95% intervals).")
tiles = views.headline(profile, ["list_size", "prev_mh", "prev_dep", "prev_dem", "prev_ld", "imd_score"])
for col, row in zip(st.columns(len(tiles) or 1), tiles.itertuples()):
    col.metric(row.label, f"{row.value:,.2f}" if row.kind != "count" else f"{row.value:,.0f}",
               help=f"ICB {row.icb_value:,.2f}; England {row.england_value:,.2f}; {row.vs_england} than England")
for sentence in views.summary_sentences(profile):
    st.markdown(f"- {sentence}")
st.subheader("Spine chart")
st.plotly_chart(charts.spine_chart(profile, views.england_range(sel.db, sel.period)), use_container_width=True)
st.subheader("All indicators")
st.dataframe(profile[["label", "numerator", "denominator", "value", "lower_95", "upper_95", "icb_value",
                      "england_value", "vs_icb", "vs_england"]], hide_index=True, use_container_width=True)
ui.csv_download(profile, f"profile_{sel.pcn_code}_{sel.period}.csv", "profile_csv")
