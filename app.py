"""phm-profile: the home page (ICB overview). Other pages live in pages/ (Streamlit's auto-discovery)."""

import streamlit as st

from phm_profile import charts, ui, views, wording

sel = ui.sidebar()
ui.title("ICB overview", sel)
st.caption(f"{sel.icb_code}, {sel.period}: every PCN of the ICB on one indicator.")
indicator = ui.choose_indicator(sel.db, sel.period)
table = views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
headline = wording.overview_headline(table)
cols = st.columns(4)
cols[0].metric("PCNs", headline["pcns"])
if headline["pcns"]:
    cols[1].metric(f"ICB: {headline['short_label']}", headline["icb_shown"])
    cols[2].metric(f"England: {headline['short_label']}", headline["england_shown"])
    cols[3].metric("PCNs higher than England (95%)", headline["higher"])
view, tab = ui.view(["Map", "Table", "Service context"])
with tab:
    if view == "Map":
        geojson, values = views.pcn_map(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
        label = views.indicator_labels(sel.db)[indicator]
        method = wording.map_caption(views.map_method(sel.db, sel.period))
        if geojson["features"]:
            ui.chart(charts.pcn_map(geojson, values, label, sel.pcn_code), values,
                     f"map_{indicator}_{sel.icb_code}_{sel.period}.csv", "overview_map", download=False)
            st.caption(method)
        else:
            st.info(method)
    elif view == "Table":
        ui.table(table[["pcn_code", "pcn_name", "value", "lower_95", "upper_95", "vs_icb", "vs_england"]])
        ui.csv_download(table, f"{indicator}_{sel.icb_code}_{sel.period}.csv", "overview_csv")
    else:
        context = views.context_measures(sel.db, sel.icb_code, None, sel.period, sel.suppress)
        if context.empty:
            st.info("No published ICB service measures are loaded (MHSDS four-week waits, NHS Talking Therapies "
                    "annual or monthly measures).")
        else:
            st.caption(f"Published figures for ICB {sel.icb_code}, latest period of each measure, with England.")
            ui.table(context)
