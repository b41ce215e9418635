import streamlit as st

from phm_profile import charts, ui, views, wording

sel = ui.sidebar()
ui.title("Compare PCNs", sel, f"ICB {sel.icb_code}")
st.caption(ui.plain(f"Every PCN of {sel.icb_code}, {sel.period}; the selected PCN is highlighted."))
indicator = ui.choose_indicator(sel.db, sel.period, kinds=("proportion", "rate", "ratio"))
frame = views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
label = frame.short_label.iloc[0] if len(frame) else indicator


def among_similar() -> tuple[object, tuple[str, ...] | None, str]:
    """The league's and funnel's PCNs: the ICB's, or the selected PCN with its 10 most similar PCNs in England."""
    choice = st.radio("PCNs compared", ["The ICB's PCNs", "This PCN and its 10 most similar PCNs in England"],
                      horizontal=True, key="compare_group",
                      help="Similar PCNs: nearest on deprivation, age, list size and the most deprived share "
                           "(PCN profile, Similar PCNs, gives the method).")
    if choice.startswith("The ICB"):
        return frame, None, "ICB"
    similar = views.similar_pcns(sel.db, sel.period, sel.pcn_code, sel.suppress)
    codes = tuple(sorted([sel.pcn_code, *similar.pcn_code]))
    return (views.indicator_across_pcns(sel.db, sel.icb_code, sel.period, indicator, sel.suppress, codes), codes,
            "similar PCNs")


view, tab = ui.view(["League table", "Funnel plot", "Two indicators", "Map", "Inequality"])
with tab:
    if view == "League table":
        shown, codes, group = among_similar()
        if note := wording.pooled_note(shown, group, sel.suppress):
            st.caption(note)
        ui.chart(ui.figure(charts.league_chart, shown, sel.pcn_code, group), shown,
                 f"compare_{indicator}_{sel.pcn_code if codes else sel.icb_code}_{sel.period}.csv", "league")
    elif view == "Funnel plot":
        shown, codes, group = among_similar()
        if "funnel" not in shown:
            st.info("No funnel plot for this indicator: it has no count and denominator to set limits from.")
        else:
            around = ("100% (as many recorded as expected)" if shown.kind.iloc[0] == "ratio"
                      else "the ICB's pooled value" if group == "ICB" else "the pooled value of these 11 PCNs")
            st.caption(ui.plain(f"Control limits around {around}: 95% (dashed) and 99.8% (solid). "
                                f"{wording.pooled_note(shown, group, sel.suppress) or ''}"))
            limits = views.funnel_limits(sel.db, sel.icb_code, sel.period, indicator, sel.suppress, codes)
            ui.chart(ui.figure(charts.funnel_plot, shown, limits, sel.pcn_code, label, group), limits,
                     f"funnel_limits_{indicator}_{sel.pcn_code if codes else sel.icb_code}_{sel.period}.csv", "funnel")
    elif view == "Two indicators":
        x_col, y_col = st.columns(2)
        with x_col:
            x = ui.choose_indicator(sel.db, sel.period, "Across (x)", name="x",
                                    default=("imd_score", "imd_rank", "age_65_plus"))
        with y_col:
            y = ui.choose_indicator(sel.db, sel.period, "Up (y)", name="y", default=("prev_mh",))
        pairs = views.two_indicators(sel.db, sel.icb_code, sel.period, x, y, sel.suppress)
        labels = views.indicator_labels(sel.db, short=True)
        ui.chart(ui.figure(charts.scatter_chart, pairs, labels[x], labels[y], sel.pcn_code), pairs,
                 f"scatter_{x}_{y}_{sel.icb_code}_{sel.period}.csv", "scatter")
    elif view == "Inequality":
        if not indicator.startswith("prev_"):
            st.info("Inequality by deprivation is shown for the QOF registers (prevalence indicators): the other "
                    "indicators are not published by practice. Choose a prevalence indicator above.")
        else:
            quintiles, sii = views.inequality(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
            st.caption(f"Practices put in fifths by their population-weighted {views.deprivation_index(sel.db, sel.period)} "
                       "score, or rank where the file has no "
                       "scores (quintile 1 the most "
                       "deprived; PHEindicatormethods' phe_quantile), within the ICB and within England; the "
                       "register summed over each fifth's practices, with 95% Wilson intervals. "
                       + wording.deprivation_caption(*views.deprivation_method(sel.db, sel.period)))
            ui.chart(ui.figure(charts.inequality_chart, quintiles, label, views.deprivation_index(sel.db, sel.period)), quintiles,
                     f"inequality_{indicator}_{sel.icb_code}_{sel.period}.csv", "inequality",
                     empty="No practice deprivation for this year: it needs an index of deprivation file with registrations "
                           "by LSOA, or the practices' locations.")
            ui.bullets(wording.inequality_sentences(sii, label))
            st.caption("Slope index of inequality (OHID's method, PHEindicatormethods' phe_sii for proportions): "
                       "the fitted gap across the whole range of deprivation, from the population-weighted "
                       "regression of each quintile's value on its midpoint rank; 95% interval by 100,000 "
                       "simulations. Computed from the counts as shown (rounded when suppression is on).")
    else:
        geojson, values = views.pcn_map(sel.db, sel.icb_code, sel.period, indicator, sel.suppress)
        ui.chart(charts.pcn_map(geojson, values, label, sel.pcn_code), values,
                 f"map_{indicator}_{sel.icb_code}_{sel.period}.csv", "map", download=False)
