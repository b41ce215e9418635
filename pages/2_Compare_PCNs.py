import streamlit as st

from phm_profile import charts, ui, views

sel = ui.sidebar()
st.title("Compare PCNs")
choices = views.indicator_choices(sel.db)
choices = choices[choices.kind.isin(["proportion", "rate", "ratio"])]
labels = dict(zip(choices.indicator, choices.label))
indicator = st.selectbox("Indicator", list(choices.indicator), index=list(choices.indicator).index("prev_mh"),
                         format_func=labels.get, key="compare_indicator")
frame = views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, indicator)
st.subheader("League table")
st.plotly_chart(charts.league_chart(frame, sel.pcn_code), use_container_width=True)
if "funnel" in frame:
    st.subheader("Funnel plot")
    st.plotly_chart(charts.funnel_plot(frame, views.funnel_limits(sel.db, sel.icb_code, sel.period, indicator),
                                       sel.pcn_code, labels[indicator]), use_container_width=True)
ui.csv_download(frame, f"compare_{indicator}_{sel.icb_code}_{sel.period}.csv", "compare_csv")
