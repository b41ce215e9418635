"""phm-profile: the home page (ICB overview). Other pages live in pages/ (Streamlit's auto-discovery)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

import streamlit as st  # noqa: E402

from phm_profile import charts, ui, views  # noqa: E402

sel = ui.sidebar()
ui.title("ICB overview", sel)
st.caption(f"{sel.icb_code}, {sel.period}: every PCN of the ICB on one indicator.")
indicator = ui.choose_indicator(sel.db)
table = views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
first = table.iloc[0] if len(table) else None
cols = st.columns(4)
cols[0].metric("PCNs", len(table))
if first is not None:
    cols[1].metric("ICB value", f"{first.icb_value:,.2f}")
    cols[2].metric("England value", f"{first.england_value:,.2f}")
    cols[3].metric("PCNs higher than England", int((table.vs_england == "higher").sum()))
geojson, values = views.pcn_map(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
label = first.label if first is not None else indicator
ui.chart(charts.pcn_map(geojson, values, label, sel.pcn_code), values,
         f"map_{indicator}_{sel.icb_code}_{sel.period}.csv", "overview_map")
ui.table(table[["pcn_code", "pcn_name", "value", "lower_95", "upper_95", "vs_icb", "vs_england"]])
ui.csv_download(table, f"{indicator}_{sel.icb_code}_{sel.period}.csv", "overview_csv")
