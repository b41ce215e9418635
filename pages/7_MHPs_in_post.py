import streamlit as st

from phm_profile import charts, exports, mhp, ui, views

sel = ui.sidebar()
ui.title("MHPs in post against need", sel, "")
st.caption("Which PCNs have the highest mental-health need and the fewest Mental Health Practitioners? MHPs in post "
           "from NHS England's PCN Workforce, against each PCN's ARRS entitlement (by list size) and its need-based "
           f"WTE (the workforce model, {sel.period} registers).")
editions = views.mhp_editions(sel.db)
if editions.empty:
    st.info("No PCN Workforce edition is loaded: add NHS England's individual-level CSV (the zip "
            "PCNWFIndividualCSV.MMYYYY.zip as downloaded) to the data on the Data & methods page.")
    st.stop()
labels = dict(zip(editions.label, editions.census))
counted = editions[editions.counts_mhps]
default = counted.label.iloc[0] if len(counted) else editions.label.iloc[0]
controls = st.columns([1, 2])
label = controls[0].selectbox("PCN Workforce edition", list(labels), index=list(labels).index(default),
                              key="mhp_edition", format_func=lambda k: mhp.edition_name(labels[k]))
edition = editions[editions.label == label].iloc[0]
scope = controls[1].radio("PCNs", ["England", "This ICB"], horizontal=True, key="mhp_scope",
                          format_func=lambda s: f"{s} ({sel.icb_code})" if s == "This ICB" else s)
assumptions = ui.current_assumptions()
england = mhp.table(views.mhp_in_post(sel.db, sel.period, edition.census, sel.suppress), edition.period, assumptions)
shown = england if scope == "England" else england[england.icb_code == sel.icb_code]
area = "England" if scope == "England" else f"{sel.icb_code}"
name = f"{mhp.edition_name(edition.census)}"
if not edition.counts_mhps:
    st.warning(f"The {name} edition counts no Mental Health Practitioners (the publisher tagged no MHP role then): "
               "MHPs are not counted, which is not 0. Choose a later edition.")
head = views.mhp_headline(sel.db, edition.census, None if scope == "England" else list(shown.pcn_code))
ui.tiles([ui.Tile(label_, value, (note,)) for label_, value, note in mhp.tiles(shown, head)])
caveats = mhp.caveats(editions)
st.caption(f"{mhp.SOURCE}, {name}: staff in post on the last day of the month (FTE 1.0 = 37.5 hours a week). "
           "Contracted FTE (mostly the mental-health trust's MHPs) is its own figure: the publisher notes trust staff "
           "may be counted in the trust's figures too. A PCN with no row made no return: not known, not 0. "
           "More under About the data.")

view, tab = ui.view(["Need against in post", "Table", "Map", "Over time", "PCN team", "About the data"],
)
with tab:
    if view == "Need against in post":
        measure = st.radio("Need", list(mhp.NEED_MEASURES), horizontal=True, key="mhp_need",
                           format_func=mhp.NEED_MEASURES.get)
        lines = mhp.with_quadrant_lines(england, measure)
        shown = mhp.placed(shown, measure, lines) if lines[0] == lines[0] else shown
        ui.bullets(mhp.sentences(shown, name, area, edition.period, measure))
        ui.chart(ui.figure(charts.need_vs_in_post, shown, measure, mhp.NEED_MEASURES[measure], lines, sel.pcn_code),
                 mhp.table_view(shown, name), f"mhp_need_vs_in_post_{area}_{label}.csv", "need_vs_in_post",
                 empty="No PCN made a return in this edition.")
        if lines[0] == lines[0]:
            st.caption(f"Dashed lines: England's pooled rates ({mhp.NEED_MEASURES[measure].split(' per')[0]} "
                       f"{lines[0]:.2f} and MHP FTE {lines[1]:.2f} per 10,000 patients), from the PCNs that made a "
                       "return. Crosses on the axis: PCNs with no MHP in post.")
        none = mhp.no_mhp_view(shown, measure)
        st.markdown(f"**PCNs with no MHP in post** ({len(none):,}), highest "
                    f"{mhp.NEED_WORDS[measure]} per 10,000 first")
        ui.table(none, height=280)
    elif view == "Table":
        table = mhp.table_view(shown, name)
        st.caption("Sorted by the gap to need, largest shortfall first; click a heading to sort by another column. "
                   "The CSV names the edition on every row.")
        ui.table(table)
        downloads = st.columns(4)
        ui.csv_download(table, f"mhp_in_post_{area}_{label}.csv", "mhp_csv", "Table (CSV)", downloads[0])
        if not ui.workshop_on():
            downloads[1].download_button(
                "Table (XLSX)", lambda: exports.mhp_in_post_xlsx(
                    table, f"MHPs in post against need, {area}", name, caveats, assumptions, sel.suppress),
                f"mhp_in_post_{area}_{label}.xlsx", key="mhp_xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        absent = shown[shown.status == mhp.NO_RETURN]
        if len(absent):
            st.markdown(f"**In the {sel.period} mapping, no return in the {name} edition** ({len(absent):,}): their MHPs "
                        "are not known (not 0).")
            ui.table(mhp.table_view(absent)[["ICB", "PCN code", "PCN", "List size"]])
        missing = views.mhp_not_in_mapping(sel.db, sel.period, edition.census)
        if len(missing):
            st.markdown(f"**In the PCN Workforce, in no {sel.period} mapping** ({len(missing):,}): their staff are "
                        "kept under their codes (in the export and the England totals); no list size or need is known.")
            ui.table(missing)
    elif view == "Map":
        local = england[england.icb_code == sel.icb_code]
        geojson, _ = views.pcn_map(sel.db, sel.icb_code, sel.period, "list_size", sel.suppress)
        mapped = local.assign(value=local.mhp_per_10k, note=local.quadrant)
        st.caption(f"MHP FTE in post per 10,000 patients in each PCN of {sel.icb_code} ({name}); grey: no return "
                   "or not counted.")
        if geojson["features"]:
            ui.chart(charts.pcn_map(geojson, mapped, "MHP FTE per 10,000", sel.pcn_code), mhp.table_view(local, name),
                     f"mhp_in_post_map_{sel.icb_code}_{label}.csv", "mhp_map")
        else:
            st.info("No PCN areas for a map in the loaded data (no practice-by-LSOA lists or LSOA boundaries).")
    elif view == "Over time":
        series = views.mhp_over_time(sel.db, list(shown.pcn_code))
        totals = mhp.area_over_time(series, area)
        st.caption(f"MHP FTE in post in {area} in each edition loaded, summed over the PCNs that made a return; a gap "
                   "is an edition that counts no MHPs (the hover says so).")
        ui.chart(ui.figure(charts.in_post_over_time, totals), totals, f"mhp_over_time_{area}.csv", "mhp_over_time")
        st.markdown(f"**{ui.plain(sel.pcn_name)}** in each edition")
        ui.table(mhp.pcn_editions_view(series if sel.pcn_code in set(series.pcn_code)
                                       else views.mhp_over_time(sel.db, [sel.pcn_code]), sel.pcn_code))
        st.markdown(f"**When each PCN's first MHP started** ({area}), as the editions tell it")
        ui.table(mhp.windows_view(views.mhp_start_windows(sel.db), list(shown.pcn_code)))
    elif view == "PCN team":
        team = views.mhp_team(sel.db, sel.pcn_code, edition.census)
        st.caption(f"{ui.plain(sel.pcn_name)}'s team in the {name} edition, by role as published (MHP roles first). "
                   "The collection does not mark which posts the ARRS reimburses.")
        if team.empty:
            st.info(f"No return: {ui.plain(sel.pcn_name)} has no row in the {name} edition (its staff are not "
                    "known, which is not the same as none).")
        else:
            ui.table(team)
    else:
        ui.bullets(caveats)
        ui.table(mhp.editions_view(editions))
