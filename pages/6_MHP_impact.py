import streamlit as st

from phm_profile import charts, impact, mhp, money as money_module, ui, views, wording

sel = ui.sidebar()
ui.title(f"MHP impact in {sel.icb}", sel, "")
st.caption("Which PCNs have their Mental Health Practitioners, and what changed in the 12 months after they started, "
           "set against PCNs without an MHP over the same months (difference in differences).")
used = ui.staffing(sel.db, sel.period)
staffing, unknown = used.frame, used.unknown
seen = mhp.first_seen(views.mhp_start_windows(sel.db))
monthly = views.impact_monthly(sel.db, sel.suppress)
inputs = views.workforce_inputs(sel.db, sel.icb_code, sel.period, sel.suppress)
icb_pcns = list(inputs.pcn_code)

view, tab = ui.view(["In post", "Map", "Before and after", "Return on investment"])
with tab:
    if view == "In post":
        status = impact.status(inputs, staffing, sel.period, unknown=unknown)
        st.caption(f"MHP WTE {used.when} ({ui.plain(used.source)}) against the guide's "
                   "entitlement (from list size) and the need the workforce model estimates (Workforce plan).")
        ui.chart(ui.figure(charts.staffing_chart, status, sel.pcn_code), status,
                 f"mhp_in_post_{sel.icb_code}_{sel.period}.csv", "in_post")
        missing = status[status.status == "No MHP"].pcn_name.tolist()
        below = status[status.status == "Below entitlement"].pcn_name.tolist()
        absent = status[status.status == impact.NO_RETURN].pcn_name.tolist()
        st.markdown(f"- **No MHP** ({len(missing)}): {ui.plain(', '.join(missing) or 'none')}.\n"
                    f"- **Below entitlement** ({len(below)}): {ui.plain(', '.join(below) or 'none')}."
                    + (f"\n- **No return in the PCN Workforce** ({len(absent)}; MHPs not known, not 0): "
                       f"{ui.plain(', '.join(absent))}." if absent else ""))
        ui.table(status)
    elif view == "Map":
        status = impact.status(inputs, staffing, sel.period, unknown=unknown)
        geojson, _ = views.pcn_map(sel.db, sel.icb_code, sel.period, "list_size", sel.suppress)
        mapped = status.assign(value=status.share_of_entitlement, note=wording.in_post_notes(status))
        st.caption(f"MHP WTE {used.when} ({ui.plain(used.source)}) as a share of the guide's entitlement "
                   "(0%: no MHP; 100%: the entitlement in post).")
        if geojson["features"]:
            ui.chart(charts.pcn_map(geojson, mapped, "In post (% of entitlement)", sel.pcn_code), mapped,
                     f"mhp_in_post_map_{sel.icb_code}_{sel.period}.csv", "in_post_map", download=False)
        else:
            st.info(wording.map_caption(views.map_method(sel.db, sel.period)))
    elif view == "Before and after":
        if monthly.empty:
            st.info("No referral records are loaded (mh_referrals records by practice and date): the monthly series "
                    "need them.")
        else:
            measure_key = st.radio("Measure", list(impact.MEASURES), horizontal=True, key="impact_measure",
                                   format_func=lambda k: impact.MEASURES[k].label)
            measure = impact.MEASURES[measure_key]
            whose = icb_pcns
            if sel.pcn_code in impact.starts(staffing):
                choice = st.radio("PCNs", ["Every PCN of the ICB that started", f"{sel.pcn_name} only"],
                                  horizontal=True, key="impact_whose", format_func=ui.plain)
                whose = icb_pcns if choice.startswith("Every") else [sel.pcn_code]
            did = impact.difference_in_differences(monthly, staffing, measure_key, whose, sel.suppress, unknown, seen)
            ui.bullets(wording.impact_sentences(did, measure.label.split(" (")[0], measure.unit))
            series = impact.event_series(monthly, staffing, measure_key, whose, sel.suppress, unknown, seen)
            ui.chart(ui.figure(charts.event_chart, series, measure.short), series,
                     f"mhp_impact_{measure_key}_{sel.icb_code}.csv", "impact",
                     empty="No PCN of this ICB has an MHP start date in the records' span.")
            st.caption(wording.IMPACT_LIMITS)
            if not did.empty:
                st.markdown("**Each PCN that started** (12 months before against 12 after; the start month left out)")
                ui.table(wording.impact_table(did))
    else:
        did = impact.difference_in_differences(monthly, staffing, "cmht_referrals", icb_pcns, sel.suppress, unknown,
                                          seen)
        started = did[did.pcn_code != "All that started"].pcn_code.tolist()
        st.caption("The arithmetic, not a forecast: the posts' cost in the 12 months after each start against the "
                   "CMHT referrals the difference in differences says were not made. No unit cost is published in "
                   "the reference data loaded here: type your own (e.g. from the National Cost Collection); until "
                   "then the activity is shown without a value.")
        unit_cost = st.number_input("Cost of one CMHT referral and assessment (£): your assumption", min_value=0.0,
                                    max_value=impact.MAX_UNIT_COST, value=0.0, step=10.0, key="roi_unit_cost")
        cost = impact.post_cost(staffing, started, money_module.money_for())
        result = impact.return_on_investment(did, "cmht_referrals", cost, unit_cost)
        if not result:
            st.info("No estimate to work from: no PCN of this ICB has 12 months of records before and after its MHP "
                    "start (or the counts are suppressed).")
        else:
            ui.bullets(wording.roi_sentences(result, len(started)))
