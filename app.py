"""phm-profile: the home page (ICB overview). Other pages live in pages/ (Streamlit's auto-discovery)."""

import streamlit as st

from phm_profile import charts, exports, ui, views, wording

sel = ui.sidebar()
ui.title("ICB overview", sel, f"ICB {sel.icb_code}")
st.caption(ui.plain(f"{sel.icb_code}, {sel.period}: every PCN of the ICB on one indicator."))
indicator = ui.choose_indicator(sel.db, sel.period)
table = views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
headline = wording.overview_headline(table)
ui.tiles([ui.Tile("PCNs", str(headline["pcns"]))] + ([
    ui.Tile(f"ICB: {headline['short_label']}", headline["icb_shown"]),
    ui.Tile(f"England: {headline['short_label']}", headline["england_shown"]),
    ui.Tile("PCNs higher than England (95%)", str(headline["higher"]))] if headline["pcns"] else []))
view, tab = ui.view(["Map", "Table", "All indicators", "Service context"])
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
    elif view == "All indicators":
        controls = st.columns([1, 1, 2, 1])
        scope = controls[0].radio("PCNs of", ["ICB", "England"], horizontal=True, key="grid_scope")
        comparator = controls[1].radio("Compared with", ["England", "ICB"], horizontal=True, key="grid_comparator")
        grid = views.overview_grid(sel.db, sel.period, sel.icb_code if scope == "ICB" else None, sel.suppress)
        labels = dict(zip(grid.indicator, grid.short_label))
        sort_by = controls[2].selectbox("Sort PCNs by", ["pcn_name", *labels], key="grid_sort",
                                        format_func=lambda c: "PCN name" if c == "pcn_name" else labels[c])
        descending = controls[3].toggle("Highest first", value=True, key="grid_descending",
                                        help="When sorted by an indicator; names are always A to Z.")
        st.caption(f"Every indicator of {sel.period} for every PCN of {sel.icb_code if scope == 'ICB' else 'England'}"
                   f", each cell coloured by its comparison with {'England' if comparator == 'England' else 'its ICB'} "
                   "at 95% (green / red where higher is better or worse, orange / blue where there is no judgement);"
                   " the value and its interval on hover.")
        ui.chart(ui.figure(charts.overview_grid, grid, comparator, sort_by, descending), grid,
                 f"overview_{scope.lower()}_{sel.period}.csv", "grid", download=False)
        if not ui.workshop_on():
            name = f"overview_{sel.icb_code if scope == 'ICB' else 'england'}_{sel.period}"
            downloads = st.columns(2)
            ui.csv_download(exports.grid_table(grid), f"{name}.csv", "grid_csv", "Grid (CSV)", downloads[0])
            downloads[1].download_button(  # made on the click: a national grid is a large workbook
                "Grid (XLSX)", lambda: exports.grid_xlsx(grid, f"Every indicator, {name.replace('_', ' ')}", sel.suppress),
                f"{name}.xlsx", key="grid_xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        context = views.context_measures(sel.db, sel.icb_code, None, sel.period, sel.suppress)
        if context.empty:
            st.info("No published ICB service measures are loaded (MHSDS four-week waits, NHS Talking Therapies "
                    "annual or monthly measures).")
        else:
            st.caption(ui.plain(f"Published figures for ICB {sel.icb_code}, latest period of each measure, with England."))
            ui.table(context)
