import streamlit as st

from phm_profile import charts, exports, queries, ui, views, wording

sel = ui.sidebar()
profile = views.pcn_profile(sel.db, sel.pcn_code, sel.period, sel.suppress)
ui.title(f"{sel.pcn_name} ({sel.pcn_code})", sel, "mental-health profile")
st.caption(ui.plain(f"Mental-health profile, {sel.period}; compared with ICB {sel.icb_code} and England (95% intervals)."))
ui.tiles([ui.Tile(row.short, row.shown, (row.comparison, row.icb_comparison), row.help)
          for row in wording.headline(profile).itertuples()])
st.subheader("Summary")
ui.bullets(wording.summary_sentences(profile))

england = views.england_range(sel.db, sel.period, sel.suppress)
similar = views.similar_pcns(sel.db, sel.period, sel.pcn_code, sel.suppress)
pooled = views.similar_values(sel.db, sel.period, tuple(similar.pcn_code), sel.suppress)
trends = views.recent_trends(sel.db, sel.pcn_code, sel.period, sel.suppress)
compared = (profile.merge(pooled, on="indicator", how="left")  # the similar PCNs' values and the recent trends
            .merge(trends[["indicator", "trend", "judged"]], on="indicator", how="left"))
view, tab = ui.view(["Spine chart", "Practices", "Population", "Services", "Trends", "Similar PCNs",
                     "All indicators"])
with tab:
    if view == "Spine chart":
        st.caption("Each dot is the PCN's value within the range of all PCNs in England (light bar: lowest to "
                   "highest; darker bar: 25th to 75th percentile), centred on England (black line); the dark tick "
                   "marks the ICB, the open diamond the 10 most similar PCNs in England (Similar PCNs). Colour: "
                   "the comparison with England at 95%, green / red where higher is better or worse, orange / blue where there is no judgement. Recorded SMI as % of expected runs near 200% "
                   "where recording is complete: the register counts everyone ever diagnosed, the survey past-year "
                   "psychosis (Data & methods). Arrows at the right: the recent trend (Fingertips' test over the last five "
                   "years at 99.8%: ↑ increasing, ↓ decreasing, → no significant change; green / red where "
                   "that is better / worse; none where it could not be tested).")
        if note := wording.profile_pooled_note(profile, sel.suppress):
            st.caption(note)
        ui.chart(ui.figure(charts.spine_chart, compared, england, compact=ui.workshop_on()), profile,
                 f"profile_{sel.pcn_code}_{sel.period}.csv", "spine", download=False)
    elif view == "Practices":
        indicator = ui.choose_indicator(sel.db, sel.period, practices=True)
        if indicator is None:
            st.info("No practice-level data this year: practice figures need the QOF registers or list sizes by "
                    "practice.")
        else:
            practices = views.practices_in_pcn(sel.db, sel.pcn_code, sel.period, indicator, sel.suppress)
            ui.bullets(wording.practice_sentences(practices, sel.pcn_name))
            label = views.indicator_labels(sel.db, short=True).get(indicator, indicator)
            if "funnel" in practices:
                st.caption("Each practice against its list, within control limits around the PCN's practices "
                           "pooled: 95% (dashed) and 99.8% (solid).")
                limits = views.practice_funnel_limits(sel.db, sel.pcn_code, sel.period, indicator, sel.suppress)
                as_areas = practices.drop(columns="pcn_code").rename(  # the chart names its points as areas
                    columns={"practice_code": "pcn_code", "practice_name": "pcn_name"})
                ui.chart(ui.figure(charts.funnel_plot, as_areas, limits, None, label, "the PCN's practices"),
                         limits, "", "practice_funnel", download=False)  # the table's CSV below has the figures
            st.caption("Click a heading to sort. Compared at 95% with the PCN, the ICB and England; with suppression "
                       "on, a count of 1-7 is hidden, and so is the next smallest of the PCN's practices where the "
                       "PCN's total would give it back.")
            table = wording.practice_table(practices)
            ui.table(table)
            ui.csv_download(wording.practice_csv(practices, table, sel.period),
                            f"practices_{indicator}_{sel.pcn_code}_{sel.period}.csv", "practices_csv")
    elif view == "Population":
        left, right = st.columns(2)
        with left:
            st.subheader("Where mental health ranks among long-term conditions")
            ranks = views.ltc_ranks(sel.db, sel.pcn_code, sel.period, sel.suppress)
            ui.chart(ui.figure(charts.ltc_rank_chart, ranks), ranks, f"ltc_rank_{sel.pcn_code}_{sel.period}.csv",
                     "ltc")
        with right:
            st.subheader("Age and sex")
            pyramid = views.age_pyramid(sel.db, sel.pcn_code, sel.period, sel.suppress)
            ui.chart(ui.figure(charts.age_pyramid, pyramid), pyramid, f"age_sex_{sel.pcn_code}_{sel.period}.csv",
                     "pyramid", empty="No registrations by age and sex are loaded (gp-reg-pat-prac-quin-age), for "
                                      "this year or a near one.")
        index = views.deprivation_index(sel.db, sel.period)
        st.subheader(f"Deprivation ({index} quintiles)")
        quintiles = views.imd_quintiles(sel.db, sel.pcn_code, sel.icb_code, sel.period, sel.suppress)
        ui.chart(ui.figure(charts.quintile_chart, quintiles, index), quintiles,
                 f"imd_quintiles_{sel.pcn_code}_{sel.period}.csv", "imd",
                 empty="No deprivation: it needs an index of deprivation file (IMD 2019 or 2025) with registrations "
                       "by LSOA, or with the practices' locations and the LSOA boundaries of the same edition.")
        if not quintiles.empty:
            st.caption(wording.deprivation_caption(*views.deprivation_method(sel.db, sel.period)))
    elif view == "Services":
        st.subheader("Service usage")
        usage = queries.service_usage(profile)
        ui.chart(ui.figure(charts.interval_chart, usage), usage, f"service_usage_{sel.pcn_code}_{sel.period}.csv",
                 "usage", empty="No PCN-level service-usage measures are loaded for this year.")
        st.subheader("Service context: the ICB and sub-ICB locations (not PCN figures)")
        context = views.context_measures(sel.db, sel.icb_code, sel.pcn_code, sel.period, sel.suppress)
        if context.empty:
            st.info("No published ICB or sub-ICB service measures are loaded (MHSDS four-week waits, NHS Talking "
                    "Therapies annual or monthly measures).")
        else:
            st.caption("Published by NHS England for the ICB and for the sub-ICB locations of this PCN's practices, "
                       "latest period of each measure, with England for the same period. They describe the whole "
                       "ICB or sub-ICB location, not this PCN.")
            ui.table(context)
        gradient = views.talking_therapies_by_deprivation(sel.db, sel.icb_code)
        if not gradient.empty:
            st.markdown(f"**NHS Talking Therapies recovery by deprivation, ICB {ui.plain(sel.icb_code)} and England "
                        f"({gradient.period.iloc[0]})**")
            ui.chart(ui.figure(charts.deprivation_gradient, gradient), gradient,
                     f"talking_therapies_by_imd_{sel.icb_code}.csv", "tt_imd")
    elif view == "Trends":
        trend = views.trends(sel.db, sel.pcn_code, ("prev_mh", "prev_dep", "prev_dem", "prev_ld"), sel.suppress)
        ui.chart(ui.figure(charts.trend_chart, trend, trends), trend, f"trends_{sel.pcn_code}.csv", "trends",
                 empty="No trends: the mental-health registers are loaded for no year.")
        shown = trends[trends.indicator.isin(trend.indicator.unique())]
        ui.bullets(wording.trend_sentences(shown, views.indicator_labels(sel.db, short=True)))
        st.caption("Recent trend as Fingertips tests it: the most recent five yearly points up to this year, a "
                   "chi-squared test for trend in proportions (weighted by each year's patients) or, for rates "
                   "and ratios, a regression weighted by each point's interval; significant at 99.8%.")
    elif view == "Similar PCNs":
        st.caption("The 10 PCNs in England most like this one on the drivers of mental-health need: deprivation "
                   f"(population-weighted {views.deprivation_index(sel.db, sel.period)} score, or rank where the file has no scores), the shares aged 65 "
                   "and over and under 18, list size, and the share living in England's most deprived fifth of "
                   "LSOAs. Each driver is standardised across England's PCNs (z-scores, equal weights) and PCNs are "
                   "ranked by their Euclidean distance, as CIPFA's and ONS's nearest-neighbour models do. Their "
                   "pooled values are the open diamonds on the spine chart; Compare PCNs can rank and funnel "
                   "the PCN among them.")
        if similar.empty:
            st.info("No similar PCNs: this PCN (or too few others) lacks one of the drivers this year.")
        else:
            ui.table(similar)
            ui.csv_download(similar, f"similar_pcns_{sel.pcn_code}_{sel.period}.csv", "similar_csv")
    else:
        st.caption("The values behind the spine chart. Lowest, 25th, 75th and highest: England's PCNs. Counts of "
                   "1-7 are suppressed when suppression is on.")
        ui.table(wording.spine_table(compared, england))
        ui.csv_download(profile, f"profile_{sel.pcn_code}_{sel.period}.csv", "profile_csv")

st.subheader("Slide pack and one-page profile")
made = (sel, ui.current_assumptions())
pack_col, pdf_col = st.columns(2)
if pack_col.button("Make the slide pack (PPTX)", key="make_pack",
                   help="Title and summary, spine chart, league table of SMI prevalence and the MHP workforce plan."):
    with st.spinner("Drawing the slides ..."):
        league = views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, "prev_mh", sel.suppress)
        inputs = views.workforce_inputs(sel.db, sel.icb_code, sel.period, sel.suppress).set_index("pcn_code")
        st.session_state["_slide_pack"] = (made, exports.pcn_slide_pack(
            sel, profile, england, league, inputs.loc[sel.pcn_code], ui.current_assumptions(), views.is_demo(sel.db)))
if pdf_col.button("Make the one-page profile (PDF)", key="make_pdf",
                  help="Headline figures, summary and the mental-health spine chart on one A4 page."):
    with st.spinner("Printing the page ..."):
        st.session_state["_profile_pdf"] = (made, exports.pcn_profile_pdf(sel, profile, england,
                                                                          views.is_demo(sel.db)))
made_for, pack = st.session_state.get("_slide_pack", (None, None))
if made_for == made:  # a pack made for another PCN, year or plan is not offered
    pack_col.download_button("Download the slide pack", pack,
                             f"slides_{sel.pcn_code}_{sel.period}.pptx", key="pack_download",
                             mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")
made_for, pdf = st.session_state.get("_profile_pdf", (None, None))
if made_for == made:
    pdf_col.download_button("Download the one-page profile", pdf, f"profile_{sel.pcn_code}_{sel.period}.pdf",
                            key="pdf_download", mime="application/pdf")
