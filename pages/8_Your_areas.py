import streamlit as st

from phm_profile import areas, charts, exports, mhp, own_data, queries, ui, views, wording

sel = ui.sidebar()
ui.title("Your areas", sel, "")
st.caption("Neighbourhoods, localities, federations: your own groupings of practices or PCNs. Each area's figures "
           "are summed from its practices' counts (with suppression on, their released counts: a practice whose "
           "count is hidden is left out, and said), compared with its ICB and England at 95%.")
area_set = ui.area_set(sel.db, sel.period, sel.icb_code)
if area_set is None:
    st.info("No areas yet: load a file of your areas (area_name, code) or make one from the ICB's practices with "
            "the button above; areas shipped with the data (areas/*.csv in the data folder) are offered here too.")
    st.stop()
pairs = area_set.pairs()
profile = views.area_profile(sel.db, pairs, sel.period, sel.suppress)
if area_set.notes:
    with st.expander(f"{len(area_set.notes)} note{'s' if len(area_set.notes) > 1 else ''} on the area file"):
        st.markdown("\n".join(f"- {ui.plain(str(n))}" for n in area_set.notes))

view, tab = ui.view(["Profile", "Trends", "Compare areas", "Map", "Workforce", "Practices"], key="areas_view")
with tab:
    names = [a for a in area_set.areas if a in set(profile.area_name)]
    if view == "Profile":
        if not names:
            st.info(f"No area of the set has a practice with data in {sel.period}.")
        else:
            wanted = st.query_params.get("area")
            area = st.selectbox("Area", names, index=names.index(wanted) if wanted in names else 0, key="area_choice")
            st.query_params["area"] = area
            own = profile[profile.area_name == area]
            ui.bullets(wording.area_sentences(own, area))
            st.caption("Each dot is the area's value within the range of England's PCNs (light bar: lowest to "
                       "highest; darker: 25th to 75th percentile), centred on England (black line); the dark tick "
                       "marks its ICB. Colour: the comparison with England at 95%.")
            england = views.england_range(sel.db, sel.period, sel.suppress)
            ui.chart(ui.figure(charts.spine_chart, own, england, compact=ui.workshop_on()), own, "", "area_spine",
                     download=False)
            table = wording.area_table(own)
            ui.table(table)
            downloads = st.columns(2)
            ui.csv_download(table, f"area_profile_{own_data.safe_name(area_set.name)}_{sel.period}.csv", "area_csv",
                            where=downloads[0])
            made = (area_set.name, area, sel.period, sel.suppress)
            if downloads[1].button("Make the one-page profile (PDF)", key="area_pdf_make"):
                with st.spinner("Printing the page ..."):
                    st.session_state["_area_pdf"] = (made, exports.area_profile_pdf(
                        area, area_set.name, sel.period, own, england, sel.suppress, views.is_demo(sel.db)))
            made_for, pdf = st.session_state.get("_area_pdf", (None, None))
            if made_for == made and not ui.workshop_on():  # a PDF of another area or year is not offered
                downloads[1].download_button("Download the one-page profile", pdf,
                                             f"area_profile_{own_data.safe_name(area)}_{sel.period}.pdf",
                                             key="area_pdf_download", mime="application/pdf")
    elif view == "Trends":
        if not names:
            st.info("No area of the set has a practice with data this year.")
        else:
            wanted = st.query_params.get("area")
            area = st.selectbox("Area", names, index=names.index(wanted) if wanted in names else 0,
                                key="area_trend_choice")
            st.query_params["area"] = area
            trend = views.area_trends(sel.db, pairs, ("prev_mh", "prev_dep", "prev_dem", "prev_ld"), sel.suppress)
            trend = trend[trend.area_name == area]
            st.caption("The area's practices in each year (a PCN in the file stands for its practices of that year), "
                       "with its ICB and England; 95% intervals.")
            ui.chart(ui.figure(charts.trend_chart, trend, None, "Area"), trend.drop(columns=["sort_order"], errors="ignore"),
                     f"area_trends_{own_data.safe_name(area)}.csv", "area_trends",
                     empty="No year has data for this area.")
    elif view == "Compare areas":
        indicator = ui.choose_indicator(sel.db, sel.period, practices=True)
        shown = profile[profile.indicator == indicator].assign(pcn_code=lambda f: f.area_name,
                                                                pcn_name=lambda f: f.area_name)
        shown = shown.assign(icb_value=shown.england_value, vs_icb=shown.vs_england)  # compared with England
        ui.chart(ui.figure(charts.league_chart, shown, None, "England"), shown[
            ["area_name", "indicator", "numerator", "denominator", "value", "lower_95", "upper_95", "england_value",
             "vs_england", "practices", "left_out"]], f"areas_{indicator}_{sel.period}.csv", "areas_league",
                 empty="No area has data for this indicator this year.")
        labelled, limits = queries.area_funnel(shown, sel.suppress)
        if len(limits):
            st.markdown("**Funnel plot**")
            st.caption("Each area against its denominator, within control limits around the areas' pooled value: "
                       "95% (dashed) and 99.8% (solid).")
            label = views.indicator_labels(sel.db, short=True).get(indicator, indicator)
            ui.chart(ui.figure(charts.funnel_plot, labelled, limits, None, label, "the areas"), limits, "",
                     "areas_funnel", download=False)
        st.markdown("**Every indicator at a glance**")
        st.caption("Each area (rows) against England on every indicator with practice data (columns), coloured by "
                   "the comparison at 95% read through the indicator's polarity; values on hover.")
        grid = profile.assign(pcn_code=profile.area_name.map(areas.keys(area_set.areas)), pcn_name=profile.area_name)
        ui.chart(ui.figure(charts.overview_grid, grid[grid.kind != "count"], "England"), grid, "", "areas_grid",
                 download=False)
    elif view == "Map":
        indicator = ui.choose_indicator(sel.db, sel.period, practices=True)
        geojson, mapped = views.area_map(sel.db, pairs, sel.period, indicator, sel.suppress)
        st.caption("Each area drawn from the LSOAs whose patients are mostly registered with one of its practices "
                   "(the PCN map's method, practice by practice); overlapping areas overlap on the map.")
        if not geojson["features"]:
            st.info("No map: it needs registrations by LSOA (or the practices' locations) with the LSOA boundaries.")
        else:
            mapped = mapped.assign(note=[f"{v} than England" if v in ("higher", "lower") else f"{v} to England"
                                         if v == "similar" else "not compared with England" for v in mapped.vs_england])
            ui.chart(ui.figure(charts.pcn_map, geojson, mapped, indicator, None), mapped[
                ["area_name", "indicator", "numerator", "denominator", "value", "lower_95", "upper_95",
                 "england_value", "vs_england", "left_out"]], f"areas_map_{indicator}_{sel.period}.csv", "areas_map")
    elif view == "Workforce":
        census = views.mhp_staffing_edition(sel.db, sel.period)
        pcns = mhp.table(views.mhp_in_post(sel.db, sel.period, census, sel.suppress), sel.period,
                         ui.current_assumptions()) if census is not None else None
        if pcns is None:
            st.info("No PCN Workforce edition counting MHPs is loaded: MHPs in post are not known (not 0). "
                    "Entitlement and need need it too here; see MHPs in post.")
        else:
            members = views.area_members(sel.db, pairs, sel.period, sel.suppress)
            table = areas.workforce(members, pcns)
            st.caption(f"ARRS entitlement for {sel.period} (by list size), need-based WTE (the workforce model) and "
                       f"MHP FTE in post ({mhp.SOURCE}, {mhp.edition_name(census)}), each the sum of the area's "
                       "PCNs; an area that splits a PCN takes the PCN's figures in the share of its list the area "
                       "holds (named under Split PCNs).")
            ui.table(wording.area_workforce_table(table))
    else:
        members = views.area_members(sel.db, pairs, sel.period, sel.suppress)
        st.caption("Each area's practices this year (a PCN in the file stands for its practices); list sizes as "
                   "released.")
        ui.table(members.rename(columns={"area_name": "Area", "practice_code": "Practice code",
                                         "practice_name": "Practice", "pcn_code": "PCN code", "icb_code": "ICB",
                                         "list_size": "List size"}))
        st.download_button("Download the area set (CSV)", areas.to_csv(area_set), f"{own_data.safe_name(area_set.name)}.csv",
                           mime="text/csv", key="areas_set_csv")
