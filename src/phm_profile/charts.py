"""Every plotly figure of the app, with one colour-blind-safe palette (Fingertips' comparison colours)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import text
from .wording import TREND_WORDS

#: Fingertips' colours of a comparison: red / amber / green where higher is better or worse, orange and blue where
#: there is no judgement (stats.judgement reads a comparison through the indicator's polarity).
COMPARISON_COLOURS = {
    "better": "#009639",   # NHS green
    "worse": "#DA291C",    # NHS red
    "similar": "#FFB81C",  # NHS warm yellow
    "higher": "#ED8B00",   # NHS orange
    "lower": "#41B6E6",    # NHS light blue
    "not compared": "#AEB7BD",
    "suppressed": "#FFFFFF",
}
NHS_BLUE = "#005EB8"
NHS_DARK = "#003087"
FUNNEL_COLOURS = {"High (0.001)": "#ED8B00", "High (0.025)": "#FFB81C", "Not significant": "#AEB7BD",
                  "Low (0.025)": "#41B6E6", "Low (0.001)": "#005EB8"}
#: The one template every chart is sent with: a few lines instead of plotly's full template (~7 kB a chart);
#: axes make room for their labels (automargin), light grid, white background.
_AXIS = dict(automargin=True, gridcolor="#E8EDEE", zerolinecolor="#AEB7BD", linecolor="#AEB7BD")
TEMPLATE = go.layout.Template(layout=dict(xaxis=_AXIS, yaxis=_AXIS, plot_bgcolor="white", paper_bgcolor="white"))

#: A legend above the plot, left-aligned, in rows (clear of axis titles and of a phone's width).
TOP_LEGEND = dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left")
#: The domains a compact spine (workshop mode) keeps.
MENTAL_HEALTH_DOMAINS = ("Deprivation", "Mental health registers", "Case finding", "Service usage")


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its names from the files (PCN names) made literal for plotly's text (text.chart): a name is
    drawn as written, never as a link or styled text."""
    return frame.assign(pcn_name=text.chart_labels(frame.pcn_name)) if "pcn_name" in frame else frame


def legend_name(category: str, comparator: str) -> str:
    """'Higher than England', 'Similar to the ICB', 'Not compared', ..."""
    if category == "not compared":
        return "Not compared"
    if category == "suppressed":
        return "Suppressed (count 1-7)"
    return f"{category.capitalize()} {'to' if category == 'similar' else 'than'} {comparator}"


def _judged(frame: pd.DataFrame, column: str) -> list[str]:
    from .stats import judgement

    polarity = frame["polarity"] if "polarity" in frame else pd.Series("no judgement", index=frame.index)
    return [judgement(v if isinstance(v, str) else "not compared", p) for v, p in zip(frame[column], polarity)]


def spine_chart(profile: pd.DataFrame, england_range: pd.DataFrame, compact: bool = False) -> go.Figure:
    """Fingertips-style spine, grouped by domain: each indicator's PCN value within the range of all PCNs in
    England (light bar: lowest to highest; darker bar: 25th to 75th percentile), centred on England's value (the
    black line); the ICB marked; the dot coloured by the comparison with England read through the indicator's
    polarity. Counts (the list size) are left out; a suppressed value is written as such. ``compact``: the
    mental-health domains only."""
    data = profile[profile.kind != "count"].merge(england_range, on="indicator", how="inner")
    data = data[data.england_value.notna()]
    if compact:
        data = data[data.domain.isin(MENTAL_HEALTH_DOMAINS)]
    span = (data[["hi", "lo"]].sub(data.england_value, axis=0).abs().max(axis=1)).replace(0, 1)

    def place(column):
        return (data[column] - data.england_value) / span

    # Each domain opens with a heading row of its own (a tick label in bold), so the labels fit a phone's width.
    order = []
    for domain, part in data.groupby("domain", sort=False):
        order += [f"<b>{domain}</b>", *part.short_label]
    y = data.short_label
    fig = go.Figure()
    fig.add_bar(y=y, x=place("hi") - place("lo"), base=place("lo"), orientation="h", marker_color="#E8EDEE",
                name="England: lowest to highest PCN", hoverinfo="skip")
    fig.add_bar(y=y, x=place("q75") - place("q25"), base=place("q25"), orientation="h", marker_color="#C1C9CD",
                name="England: 25th to 75th percentile", hoverinfo="skip")
    fig.add_scatter(y=y, x=place("icb_value"), mode="markers", name="ICB",
                    marker=dict(symbol="line-ns-open", size=14, color=NHS_DARK, line_width=2),
                    customdata=data.icb_value, hovertemplate="ICB %{customdata:,.2f}<extra></extra>")
    judged = pd.Series(["suppressed" if pd.isna(v) else j for v, j in zip(data.value, _judged(data, "vs_england"))],
                       index=data.index)
    for category in COMPARISON_COLOURS:
        rows = judged == category
        if not rows.any():
            continue
        part = data[rows]
        fig.add_scatter(
            y=part.short_label, x=place("value")[rows].fillna(0), mode="markers", name=legend_name(category, "England"),
            marker=dict(size=12, color=COMPARISON_COLOURS[category], line=dict(color="black", width=1),
                        symbol="circle-open" if category == "suppressed" else "circle"),
            customdata=part[["label", "value", "lower_95", "upper_95", "unit", "england_value"]],
            hovertemplate="%{customdata[0]}: %{customdata[1]:,.2f} (95% interval %{customdata[2]:,.2f} to "
                          "%{customdata[3]:,.2f}); England %{customdata[5]:,.2f}<extra></extra>"
            if category != "suppressed" else "%{customdata[0]}: suppressed (a count of 1 to 7)<extra></extra>")
    if "similar_value" in data and data.similar_value.notna().any():
        fig.add_scatter(y=y, x=place("similar_value"), mode="markers", name="10 similar PCNs",
                        marker=dict(symbol="diamond-open", size=11, color="#425563", line_width=2),
                        customdata=data.similar_value, hovertemplate="10 similar PCNs %{customdata:,.2f}<extra></extra>")
    if "trend" in data and data.trend.isin(list(TREND_WORDS)).any():  # Fingertips' recent-trend arrows
        marked = data[data.trend.isin(list(TREND_WORDS))]
        fig.add_scatter(y=marked.short_label, x=[1.34] * len(marked), mode="text", name="Recent trend (arrow)",
                        text=[TREND_WORDS[t] for t in marked.trend], textfont=dict(
                            size=16, color=[TREND_COLOURS.get(j.split(" and getting ")[-1], "#425563")
                                            for j in marked.judged]),
                        customdata=marked.judged, hovertemplate="Recent trend: %{customdata}<extra></extra>",
                        showlegend=False)
    fig.add_scatter(x=[None], y=[None], mode="lines", line=dict(color="black", width=2), name="England value")
    fig.add_vline(x=0, line_color="black", line_width=2)
    fig.update_layout(height=24 * len(order) + 170, barmode="overlay",
                      xaxis=dict(visible=False, range=[-1.2, 1.45 if "trend" in data else 1.2]),
                      yaxis=dict(categoryorder="array", categoryarray=order, range=[len(order) - 0.5, -0.5],
                                 automargin=True), margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", yanchor="top", y=-0.01, x=0), plot_bgcolor="white")
    return fig


TREND_COLOURS = {"better": COMPARISON_COLOURS["better"], "worse": COMPARISON_COLOURS["worse"]}


def _axis_title(frame: pd.DataFrame) -> str:
    """An indicator's short label as an axis title: it carries the unit ('... (%)', '... per 1,000')."""
    return str(frame.short_label.iloc[0]) if len(frame) else ""


def league_chart(frame: pd.DataFrame, selected: str | None, group: str = "ICB") -> go.Figure:
    """Every PCN of the ICB (or of a group: ``group`` "similar PCNs") with its 95% interval, coloured by its
    comparison with the ICB's (the group's) value read through the indicator's polarity; the selected PCN outlined
    and in bold, that value as a dashed line."""
    comparator = "the ICB" if group == "ICB" else group
    frame = frame.sort_values("value").assign(judged=lambda f: _judged(f, "vs_icb"))
    frame.loc[frame.value.isna(), "judged"] = "suppressed"
    names = [f"<b>{n}</b>" if c == selected else n for c, n in zip(frame.pcn_code, text.chart_labels(frame.pcn_name))]
    frame = frame.assign(name=names)
    fig = go.Figure()
    for category in COMPARISON_COLOURS:
        part = frame[frame.judged == category]
        if part.empty:
            continue
        fig.add_bar(y=part.name, x=part.value.fillna(0), orientation="h", name=legend_name(category, comparator),
                    marker=dict(color=COMPARISON_COLOURS[category],
                                line=dict(color=[NHS_DARK if c == selected else "#425563" for c in part.pcn_code],
                                          width=[3 if c == selected else 0.5 for c in part.pcn_code])),
                    error_x=dict(type="data", symmetric=False, array=part.upper_95 - part.value,
                                 arrayminus=part.value - part.lower_95, color="#425563"),
                    customdata=part[["lower_95", "upper_95"]],
                    hovertemplate="%{y}: %{x:,.2f} (95% interval %{customdata[0]:,.2f} to %{customdata[1]:,.2f})"
                                  "<extra></extra>")
    if len(frame) and pd.notna(frame.icb_value.iloc[0]):
        fig.add_vline(x=frame.icb_value.iloc[0], line_dash="dash", line_color=NHS_DARK,
                      annotation_text=f"{group[0].upper() + group[1:]} {frame.icb_value.iloc[0]:,.2f}",
                      annotation_position="top")
    fig.update_layout(height=24 * len(frame) + 170, barmode="overlay", xaxis_title=_axis_title(frame),
                      yaxis=dict(categoryorder="array", categoryarray=names, automargin=True),
                      legend=TOP_LEGEND, margin=dict(l=10, r=10, t=70, b=10), plot_bgcolor="white")
    return fig


def funnel_plot(frame: pd.DataFrame, limits: pd.DataFrame, selected: str | None, label: str,
                group: str = "ICB") -> go.Figure:
    """Each PCN against its denominator (its definition on the axis; expected cases for a ratio) within the
    control lines of queries.funnel_limits; points coloured by their funnel label, one legend entry each."""
    ratio = len(frame) > 0 and frame.kind.iloc[0] == "ratio"
    fig = go.Figure()
    for line, dash, name in (("lower_2s", "dash", "95% limits"), ("upper_2s", "dash", None),
                             ("lower_3s", "solid", "99.8% limits"), ("upper_3s", "solid", None)):
        points = limits[limits.line == line]
        fig.add_scatter(x=points.x, y=points.y, mode="lines", line=dict(color="#425563", dash=dash),
                        name=name or line, legendgroup=line[-2:], showlegend=name is not None, hoverinfo="skip")
    baseline = limits[limits.line == "baseline"]
    fig.add_scatter(x=baseline.x, y=baseline.y, mode="lines", line=dict(color=NHS_DARK),
                    name="Expected (100%)" if ratio else f"{group[0].upper() + group[1:]}: pooled value")
    labelled = frame.assign(funnel=frame["funnel"] if "funnel" in frame else None)
    for name, colour in {**FUNNEL_COLOURS, "not labelled": "#FFFFFF"}.items():
        part = labelled[labelled.funnel == name] if name != "not labelled" else labelled[labelled.funnel.isna()]
        part = part[part.value.notna()]
        if part.empty:
            continue
        part = part.iloc[(part.pcn_code == selected).argsort(kind="stable")]  # the star last: the legend shows a circle
        fig.add_scatter(x=part.denominator, y=part.value, mode="markers", name=name.replace("(", "(p < "),
                        marker=dict(size=[15 if c == selected else 9 for c in part.pcn_code], color=colour,
                                    symbol=["star" if c == selected else "circle" for c in part.pcn_code],
                                    line=dict(color="black", width=1)),
                        customdata=_named(part)[["pcn_name", "lower_95", "upper_95"]],
                        hovertemplate="%{customdata[0]}: %{y:,.2f} (95% interval %{customdata[1]:,.2f} to "
                                      "%{customdata[2]:,.2f}); " + ("expected %{x:,.0f}" if ratio else "%{x:,}")
                                      + "<extra></extra>")
    if selected in set(frame.pcn_code[frame.value.notna()]):
        fig.add_scatter(x=[None], y=[None], mode="markers", name="Selected PCN (coloured as above)",
                        marker=dict(size=15, symbol="star", color="#FFFFFF", line=dict(color="black", width=1)))
    denominator = "Expected cases" if ratio else (
        str(frame.denominator_definition.iloc[0]) if len(frame) and "denominator_definition" in frame else "Denominator")
    fig.update_layout(xaxis=dict(title=denominator, tickformat=",d", automargin=True),
                      yaxis=dict(title=label, automargin=True), plot_bgcolor="white",
                      legend=TOP_LEGEND, height=560, margin=dict(l=10, r=10, t=80, b=10))
    if frame.denominator.notna().any():  # frame the PCNs: the limits run far off at tiny denominators
        lo, hi = 0.5 * frame.denominator.min(), 1.1 * frame.denominator.max()
        seen = pd.concat([limits.y[limits.x.between(lo, hi)], frame.value]).dropna()
        pad = 0.05 * (seen.max() - seen.min())
        fig.update_xaxes(range=[lo, hi])
        fig.update_yaxes(range=[max(0, seen.min() - pad), seen.max() + pad])
    return fig


def pcn_map(geojson: dict, frame: pd.DataFrame, label: str, selected: str | None) -> go.Figure:
    """Choropleth of PCN shapes coloured by the indicator (its short label on the colour bar); a PCN without a
    value (suppressed, or no data) drawn hatched-grey and named so in its hover and the legend; offline
    ('white-bg', no tiles)."""
    if "short_label" in frame and len(frame):
        label = str(frame.short_label.iloc[0])
    if "note" not in frame:  # the hover's words after the value: the comparison with the ICB, unless given
        frame = frame.assign(note=[f"{v} than the ICB" if isinstance(v, str) and v in ("higher", "lower")
                                   else f"{v} to the ICB" if v == "similar" else "not compared with the ICB"
                                   for v in (frame.vs_icb if "vs_icb" in frame else [None] * len(frame))])
    shown, missing = frame[frame.value.notna()], frame[frame.value.isna()]
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, featureidkey="properties.pcn_code", locations=shown.pcn_code, z=shown.value,
        colorscale="Blues", marker_line_width=[3 if c == selected else 0.5 for c in shown.pcn_code],
        marker_line_color="#231F20", customdata=_named(shown)[["pcn_name", "note"]],
        colorbar=dict(title=dict(text=label, side="right")), name=label,
        hovertemplate="%{customdata[0]} (%{location}): %{z:,.2f}; %{customdata[1]}<extra></extra>"))
    if len(missing):
        fig.add_trace(go.Choroplethmap(
            geojson=geojson, featureidkey="properties.pcn_code", locations=missing.pcn_code,
            z=[0] * len(missing), colorscale=[[0, "#D8DDE0"], [1, "#D8DDE0"]], showscale=False, showlegend=True,
            name="Suppressed (a count of 1-7) or no data", marker_line_color="#231F20",
            marker_line_width=[3 if c == selected else 0.5 for c in missing.pcn_code],
            customdata=_named(missing)[["pcn_name"]],
            hovertemplate="%{customdata[0]} (%{location}): suppressed (a count of 1-7) or no data<extra></extra>"))
    centre, zoom = _view(geojson)
    fig.update_layout(map=dict(style="white-bg", center=centre, zoom=zoom), height=520,
                      legend=dict(orientation="h", yanchor="bottom", y=0, x=0, bgcolor="rgba(255,255,255,0.8)"),
                      margin=dict(l=0, r=0, t=10, b=0))
    return fig


def _view(geojson: dict, width: int = 700, height: int = 440) -> tuple[dict, float]:
    """Centre and zoom that fit every shape into about ``width`` x ``height`` pixels (MapLibre tiles are
    512 px wide; a degree of latitude is 1/cos(latitude) times taller than a degree of longitude)."""
    xs, ys = [], []
    for feature in geojson.get("features", []):
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            for x, y in polygon[0]:
                xs.append(x)
                ys.append(y)
    if not xs:
        return {"lon": -1.5, "lat": 53.0}, 5.0
    centre = {"lon": (min(xs) + max(xs)) / 2, "lat": (min(ys) + max(ys)) / 2}
    stretch = 1 / np.cos(np.radians(centre["lat"]))
    zoom_x = np.log2(width * 360 / (512 * max(max(xs) - min(xs), 1e-3)))
    zoom_y = np.log2(height * 360 / (512 * max((max(ys) - min(ys)) * stretch, 1e-3)))
    return centre, float(np.clip(min(zoom_x, zoom_y), 1, 14))


def _nice_step(least: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) at least ``least``."""
    import math

    power = 10 ** math.floor(math.log10(max(least, 1e-9)))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= least)


def age_pyramid(frame: pd.DataFrame) -> go.Figure:
    """Registered patients by age band, men to the left and women to the right."""
    fig = go.Figure()
    for sex, sign, colour in (("MALE", -1, NHS_BLUE), ("FEMALE", 1, "#ED8B00")):
        part = frame[frame.sex == sex]
        fig.add_bar(y=part.age_band.str.replace("_", "-"), x=sign * part.patients, orientation="h", name=sex.title(),
                    marker_color=colour, customdata=part.patients,
                    hovertemplate="%{y}: %{customdata:,} " + sex.lower() + " patients<extra></extra>")
    fig.update_layout(barmode="overlay", bargap=0.05, xaxis=dict(title="Registered patients (men left, women right)", tickformat=",d"),
                      yaxis=dict(title="Age band (years)"), plot_bgcolor="white", height=460,
                      margin=dict(l=10, r=10, t=30, b=10))
    step = _nice_step((frame.patients.max() if len(frame) else 1) / 2)
    values = [-2 * step, -step, 0, step, 2 * step]
    fig.update_xaxes(tickvals=values, ticktext=[f"{abs(v):,.0f}" for v in values], range=[-2.05 * step, 2.05 * step])
    return fig


def quintile_chart(frame: pd.DataFrame, index: str = "IMD") -> go.Figure:
    """Share of patients in each national quintile of ``index`` ("IMD 2025") for PCN, ICB and England."""
    fig = go.Figure()
    colours = {"PCN": NHS_BLUE, "ICB": "#41B6E6", "England": "#AEB7BD"}
    for area, part in frame.groupby("area", sort=False):
        fig.add_bar(x=[f"Q{q}" for q in part.quintile], y=part.share, name=area, marker_color=colours[area],
                    hovertemplate=area + " %{x}: %{y:.1f}%<extra></extra>")
    fig.update_layout(barmode="group", xaxis_title=f"{index} quintile (Q1 most deprived)",
                      yaxis_title="% of registered patients", plot_bgcolor="white", height=380,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def inequality_chart(frame: pd.DataFrame, label: str, index: str = "IMD") -> go.Figure:
    """An indicator by practice deprivation quintile (of ``index``, "IMD 2025"), within the ICB and within England,
    with 95% intervals."""
    fig = go.Figure()
    colours = {"ICB": NHS_BLUE, "England": "#AEB7BD"}
    for area, part in frame.groupby("area", sort=False):
        fig.add_bar(x=[f"Q{q}" for q in part.quintile], y=part.value, name=f"{area} practices' quintiles",
                    marker_color=colours[area],
                    error_y=dict(type="data", symmetric=False, array=part.upper_95 - part.value,
                                 arrayminus=part.value - part.lower_95, color=NHS_DARK, thickness=1.2),
                    customdata=part[["lower_95", "upper_95", "practices"]].to_numpy(),
                    hovertemplate=area + " %{x}: %{y:.2f} (95% interval %{customdata[0]:.2f} to "
                                  "%{customdata[1]:.2f}), %{customdata[2]} practices<extra></extra>")
    fig.update_layout(barmode="group", xaxis_title=f"{index} quintile (Q1 most deprived)",
                      yaxis_title=label, plot_bgcolor="white", height=380, legend=TOP_LEGEND,
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig


#: The overview grid's colours, in legend order: each comparison as Fingertips colours it, then no figure.
GRID_CATEGORIES = ("better", "similar", "worse", "higher", "lower", "not compared", "suppressed", "no data")


def overview_grid(frame: pd.DataFrame, comparator: str, sort_by: str = "pcn_name", descending: bool = False) -> go.Figure:
    """The "tartan rug": every PCN (rows) against every indicator (columns), each cell coloured by its comparison
    with ``comparator`` ("England" or "ICB") read through the indicator's polarity; value, interval and comparison
    on hover. Rows sorted by the PCN's name or by one indicator's value."""
    from .stats import judgement
    from .wording import number

    column = "vs_england" if comparator == "England" else "vs_icb"
    indicators = frame.drop_duplicates("indicator").sort_values("sort_order")
    if sort_by in set(indicators.indicator):
        key = frame[frame.indicator == sort_by].set_index("pcn_code").value
        order = key.sort_values(ascending=not descending, na_position="last").index
    else:
        order = frame.drop_duplicates("pcn_code").sort_values("pcn_name").pcn_code
    names = _named(frame.drop_duplicates("pcn_code")).set_index("pcn_code").pcn_name
    cells = frame.set_index(["pcn_code", "indicator"])
    category = np.full((len(order), len(indicators)), GRID_CATEGORIES.index("no data"), dtype=int)
    text = np.full(category.shape, "no data", dtype=object)
    for j, ind in enumerate(indicators.itertuples()):
        part = cells.xs(ind.indicator, level="indicator").reindex(order)
        for i, row in enumerate(part.itertuples()):
            if pd.isna(row.value):
                if row.vs_england == "suppressed":
                    category[i, j], text[i, j] = GRID_CATEGORIES.index("suppressed"), "suppressed (count 1-7)"
                continue
            seen = row._asdict()[column]
            found = judgement(seen if isinstance(seen, str) else "not compared", ind.polarity)
            category[i, j] = GRID_CATEGORIES.index(found if found in GRID_CATEGORIES else "not compared")
            interval = ("" if pd.isna(row.lower_95) else
                        f" ({number(row.lower_95, ind.decimals)} to {number(row.upper_95, ind.decimals)})")
            text[i, j] = f"{number(row.value, ind.decimals)}{interval}: {legend_name(found, comparator)}"
    colours = [COMPARISON_COLOURS.get(c, "#F0F4F5") for c in GRID_CATEGORIES]
    steps = len(GRID_CATEGORIES)
    scale = [[edge / steps, colour] for k, colour in enumerate(colours) for edge in (k, k + 1)]
    pcn_labels = [names[c] for c in order]
    fig = go.Figure(go.Heatmap(
        z=category, x=list(indicators.short_label), y=pcn_labels, text=text, colorscale=scale, zmin=-0.5,
        zmax=steps - 0.5, showscale=False, xgap=1, ygap=1 if len(order) <= 60 else 0,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    used = sorted(set(category.ravel()))
    for k in used:  # a legend entry for every colour drawn
        name = GRID_CATEGORIES[k]
        fig.add_scatter(x=[None], y=[None], mode="markers", name=legend_name(name, comparator) if name != "no data"
                        else "No data", marker=dict(size=12, symbol="square", color=colours[k],
                                                    line=dict(color="#AEB7BD", width=1)))
    rows = len(order)
    fig.update_layout(height=max(420, 260 + (28 if rows <= 60 else 2) * rows), plot_bgcolor="white",  # room for 18 px
                      legend=dict(orientation="h", yanchor="top", y=-0.01, x=0, xanchor="left"),  # labels on top
                      margin=dict(l=10, r=10, t=10, b=10),
                      xaxis=dict(side="top", tickangle=-50, showgrid=False, title=None),
                      yaxis=dict(autorange="reversed", showgrid=False, showticklabels=rows <= 60, dtick=1,  # every name
                                 title=None if rows <= 60 else f"{rows:,} PCNs (name on hover)"))
    return fig


def deprivation_gradient(frame: pd.DataFrame) -> go.Figure:
    """NHS Talking Therapies recovery by IMD decile of residence, for the ICB and England."""
    fig = go.Figure()
    colours = {"England": "#AEB7BD"}
    for area, part in frame.groupby("area", sort=False):
        fig.add_scatter(x=part.imd_decile, y=part.recovery, mode="lines+markers", name=area,
                        line=dict(color=colours.get(area, NHS_BLUE), width=3),
                        hovertemplate=area + ", IMD decile %{x}: %{y:.0f}% recovered<extra></extra>")
    fig.update_layout(xaxis=dict(title="IMD decile of residence, as published (1 most deprived)", dtick=1),
                      yaxis=dict(title="Recovery (%)", ticksuffix="%"),
                      plot_bgcolor="white", height=360, legend_orientation="h", legend_y=-0.3,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def interval_chart(frame: pd.DataFrame) -> go.Figure:
    """Each indicator's PCN value with its 95% interval, and the ICB and England values: one panel per unit (%
    and per 1,000 are not drawn on one axis), each panel's axis titled with its unit."""
    from plotly.subplots import make_subplots

    units = list(dict.fromkeys(frame.unit))
    sizes = [int((frame.unit == u).sum()) for u in units]
    fig = make_subplots(rows=len(units) or 1, cols=1, row_heights=sizes or None, vertical_spacing=0.12)
    judged = pd.Series(_judged(frame, "vs_england"), index=frame.index)
    shown = set()
    for row, unit in enumerate(units, 1):
        part = frame[frame.unit == unit]
        for category in COMPARISON_COLOURS:
            rows = part[judged[part.index] == category]
            if rows.empty:
                continue
            name = f"PCN (95% interval): {legend_name(category, 'England')}"
            fig.add_scatter(y=rows.short_label, x=rows.value, mode="markers", name=name, legendgroup=category,
                            showlegend=name not in shown, row=row, col=1,
                            marker=dict(size=12, color=COMPARISON_COLOURS[category], line=dict(color="black", width=1)),
                            error_x=dict(type="data", symmetric=False, array=rows.upper_95 - rows.value,
                                         arrayminus=rows.value - rows.lower_95, color="#425563"),
                            customdata=rows[["label", "lower_95", "upper_95"]],
                            hovertemplate="%{customdata[0]}: %{x:,.2f} (95% interval %{customdata[1]:,.2f} to "
                                          "%{customdata[2]:,.2f})<extra></extra>")
            shown.add(name)
        for column, name, marker in (("icb_value", "ICB", dict(symbol="line-ns-open", size=16, color=NHS_DARK, line_width=2)),
                                     ("england_value", "England", dict(symbol="diamond-open", size=12, color="#231F20"))):
            fig.add_scatter(y=part.short_label, x=part[column], mode="markers", name=name, legendgroup=name,
                            showlegend=name not in shown, marker=marker, row=row, col=1,
                            hovertemplate=name + " %{x:,.2f}<extra></extra>")
            shown.add(name)
        fig.update_xaxes(title_text=unit if unit != "%" else "% (percentage)", row=row, col=1)
        fig.update_yaxes(automargin=True, row=row, col=1)
    fig.update_layout(height=48 * len(frame) + 130 * len(units) + 90, plot_bgcolor="white",
                      legend=TOP_LEGEND, margin=dict(l=10, r=10, t=60, b=10))
    return fig


def trend_chart(frame: pd.DataFrame, trends: pd.DataFrame | None = None, who: str = "PCN") -> go.Figure:
    """Small multiples: one panel per indicator, each on its own scale, with the PCN's value and 95% interval,
    the ICB and England over the years; each panel titled with its recent trend (queries.recent_trends) as an
    arrow and words."""
    from plotly.subplots import make_subplots

    labels = list(dict.fromkeys(frame.short_label))
    columns = 2 if len(labels) > 1 else 1
    rows = -(-len(labels) // columns) or 1
    judged = {} if trends is None else dict(zip(trends.indicator, zip(trends.trend, trends.judged)))
    indicator_of = dict(zip(frame.short_label, frame.indicator))
    titles = []
    for label in labels:
        trend, words = judged.get(indicator_of[label], (None, None))
        titles.append(f"{label}<br><sup>{TREND_WORDS.get(trend, '')} {words}</sup>" if words else label)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=0.16, horizontal_spacing=0.1)
    for i, label in enumerate(labels):
        whole = frame[frame.short_label == label]
        row, col = i // columns + 1, i % columns + 1
        breaks = whole.trend_break.dropna() if "trend_break" in whole else pd.Series(dtype=object)
        pieces = ([whole[whole.period < breaks.iloc[0]], whole[whole.period >= breaks.iloc[0]]] if len(breaks)
                  else [whole])  # a changed definition: the years either side are not joined
        for j, part in enumerate(p for p in pieces if len(p)):
            fig.add_scatter(x=part.period, y=part.value, mode="lines+markers", name=f"{who} (95% interval)",
                            line=dict(color=NHS_BLUE, width=3), legendgroup="pcn", showlegend=i == 0 and j == 0,
                            row=row, col=col, error_y=dict(type="data", symmetric=False, array=part.upper_95 - part.value,
                                                           arrayminus=part.value - part.lower_95, color=NHS_BLUE),
                            hovertemplate=label + " %{x}: %{y:,.2f}<extra></extra>")
            for column, name, style in (("icb_value", "ICB", dict(color=NHS_DARK, dash="dash")),
                                        ("england_value", "England", dict(color="#231F20", dash="dot"))):
                fig.add_scatter(x=part.period, y=part[column], mode="lines", name=name, line=style, legendgroup=name,
                                showlegend=i == 0 and j == 0, row=row, col=col,
                                hovertemplate=name + " %{x}: %{y:,.2f}<extra></extra>")
        fig.update_yaxes(title_text=whole.unit.iloc[0], row=row, col=col)
    fig.update_xaxes(type="category")
    fig.update_layout(height=300 * rows + 110, plot_bgcolor="white", legend=dict(TOP_LEGEND, y=1.0 + 40 / (300 * rows)),
                      margin=dict(l=10, r=10, t=90, b=10))
    return fig


def scatter_chart(frame: pd.DataFrame, x_label: str, y_label: str, selected: str | None) -> go.Figure:
    """Two indicators for every PCN of the ICB, the selected PCN highlighted."""
    chosen = frame.pcn_code == selected
    fig = go.Figure()
    fig.add_scatter(x=frame.x[~chosen], y=frame.y[~chosen], mode="markers", name="PCNs",
                    marker=dict(size=10, color="#41B6E6", line=dict(color="#231F20", width=1)),
                    customdata=_named(frame).pcn_name[~chosen], hovertemplate="%{customdata}: %{x:.2f}, %{y:.2f}<extra></extra>")
    fig.add_scatter(x=frame.x[chosen], y=frame.y[chosen], mode="markers+text", name="Selected PCN",
                    text=_named(frame).pcn_name[chosen], cliponaxis=False,  # its name towards the middle: never cut at an edge
                    textposition=["top left" if x > frame.x.median() else "top right" for x in frame.x[chosen]],
                    marker=dict(size=16, color=NHS_DARK, symbol="star"),
                    hovertemplate="%{text}: %{x:.2f}, %{y:.2f}<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, plot_bgcolor="white", height=480,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def ltc_rank_chart(frame: pd.DataFrame) -> go.Figure:
    """The PCN's registers by prevalence, each bar labelled with its value; mental-health registers in NHS blue."""
    frame = frame.sort_values("ltc_rank", ascending=False)
    frame = frame.assign(name=[(f"{r:.0f}. {n}" if pd.notna(r) else str(n)) for r, n in zip(frame.ltc_rank, frame.register_name)])
    frame["name"] = [n if len(n) <= 34 else n[:32] + "…" for n in frame.name]
    fig = go.Figure()
    for mental_health, name, colour in ((True, "Mental-health register", NHS_BLUE),
                                        (False, "Other long-term condition", "#AEB7BD")):
        part = frame[frame.mental_health == mental_health]
        fig.add_bar(y=part.name, x=part.prevalence, orientation="h", name=name, marker_color=colour,
                    text=[f"{v:.2f}%" if pd.notna(v) else "suppressed" for v in part.prevalence],
                    textposition="outside", cliponaxis=False, customdata=part[["register_name", "england_prevalence"]],
                    hovertemplate="%{customdata[0]}: %{x:.2f}% (England %{customdata[1]:.2f}%)<extra></extra>")
    top = frame.prevalence.max() if frame.prevalence.notna().any() else 1
    fig.update_layout(height=24 * len(frame) + 140, barmode="overlay",
                      xaxis=dict(title="Prevalence (%)", range=[0, 1.3 * top]),
                      yaxis=dict(automargin=True, categoryorder="array", categoryarray=list(frame.name)),
                      legend=TOP_LEGEND, plot_bgcolor="white", margin=dict(l=10, r=30, t=50, b=10))
    return fig


def plan_chart(plan: pd.DataFrame) -> go.Figure:
    """Entitlement, need, current and suggested WTE for each role in one year."""
    fig = go.Figure()
    for column, name, colour in (("entitlement_wte", "Guide's entitlement", "#AEB7BD"), ("need_wte", "Need", "#ED8B00"),
                                 ("current_wte", "Current", "#41B6E6"), ("suggested_wte", "Suggested", NHS_BLUE)):
        fig.add_bar(x=plan.role, y=plan[column], name=name, marker_color=colour,
                    hovertemplate=name + ": %{y:.1f} WTE<extra></extra>")
    fig.update_layout(barmode="group", yaxis_title="WTE", plot_bgcolor="white", height=380,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def allocation_chart(table: pd.DataFrame, selected: str | None) -> go.Figure:
    """Dumbbell: each PCN's ARRS entitlement, its share of the pool, and current staffing."""
    table = table.sort_values("allocated_wte")
    names = [f"<b>{n}</b>" if c == selected else n for c, n in zip(table.pcn_code, text.chart_labels(table.pcn_name))]
    fig = go.Figure()
    for i, (name, lo, hi) in enumerate(zip(names, table.entitlement_wte, table.allocated_wte)):
        fig.add_scatter(x=[lo, hi], y=[name, name], mode="lines", line=dict(color="#AEB7BD", width=3),
                        showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=table.entitlement_wte, y=names, mode="markers", name="ARRS entitlement",
                    marker=dict(size=11, color="#AEB7BD", line=dict(color="#231F20", width=1)))
    fig.add_scatter(x=table.allocated_wte, y=names, mode="markers", name="Allocated from the pool",
                    marker=dict(size=13, color=NHS_BLUE), customdata=table.weighted_population,
                    hovertemplate="%{y}: %{x:.1f} WTE (need-weighted population %{customdata:,.0f})<extra></extra>")
    fig.add_scatter(x=table.current_wte, y=names, mode="markers", name="Current",
                    marker=dict(size=10, color="#ED8B00", symbol="diamond"))
    fig.update_layout(xaxis_title="WTE", plot_bgcolor="white", height=26 * len(table) + 170,
                      legend=TOP_LEGEND, margin=dict(l=10, r=10, t=70, b=10))
    return fig


def staffing_chart(status: pd.DataFrame, selected: str | None) -> go.Figure:
    """MHP WTE in post at the year's end for each PCN of the ICB, coloured by its status, against the guide's
    entitlement (a tick)."""
    colours = {"No MHP": COMPARISON_COLOURS["worse"], "Below entitlement": COMPARISON_COLOURS["similar"],
               "At or above entitlement": COMPARISON_COLOURS["better"]}
    frame = status.sort_values("in_post_wte", na_position="first")
    names = [f"<b>{n}</b>" if c == selected else n for c, n in zip(frame.pcn_code, text.chart_labels(frame.pcn_name))]
    frame = frame.assign(name=names)
    fig = go.Figure()
    for state, colour in colours.items():
        part = frame[frame.status == state]
        if part.empty:
            continue
        if state == "No MHP":  # a zero-length bar shows nothing: a cross at 0 instead
            fig.add_scatter(y=part.name, x=[0] * len(part), mode="markers", name=state,
                            marker=dict(symbol="x", size=11, color=colour),
                            hovertemplate="%{y}: no MHP in post<extra></extra>")
            continue
        fig.add_bar(y=part.name, x=part.in_post_wte, orientation="h", name=state, marker_color=colour,
                    hovertemplate="%{y}: %{x:.1f} WTE in post<extra></extra>")
    unknown = frame[frame.status.str.startswith("No return")]
    if len(unknown):  # no row in the PCN Workforce edition: not known, drawn apart from "no MHP"
        fig.add_scatter(y=unknown.name, x=[0] * len(unknown), mode="markers", name="No return (not known)",
                        marker=dict(symbol="circle-open", size=11, color="#425563", line_width=2),
                        hovertemplate="%{y}: no return in the PCN Workforce (not known)<extra></extra>")
    fig.add_scatter(y=frame.name, x=frame.entitlement_wte, mode="markers", name="Guide's entitlement",
                    marker=dict(symbol="line-ns-open", size=16, color=NHS_DARK, line_width=3),
                    hovertemplate="%{y}: entitled to %{x:.1f} WTE<extra></extra>")
    fig.update_layout(height=24 * len(frame) + 170, barmode="overlay", xaxis_title="MHPs in post (WTE)",
                      yaxis=dict(categoryorder="array", categoryarray=names, automargin=True),
                      legend=TOP_LEGEND, margin=dict(l=10, r=10, t=70, b=10), plot_bgcolor="white")
    return fig


def event_chart(series: pd.DataFrame, label: str) -> go.Figure:
    """A measure by month from the MHP start (0), for the PCNs that started and for the comparison PCNs."""
    fig = go.Figure()
    styles = {"PCNs with MHPs": dict(color=NHS_BLUE, width=3), "Comparison PCNs (no MHP yet)": dict(color="#425563",
                                                                                                   dash="dot")}
    for group, part in series.groupby("group", sort=False):
        fig.add_scatter(x=part.month_from_start, y=part.value, mode="lines+markers", name=group,
                        line=styles.get(group, {}), hovertemplate=group + ", month %{x}: %{y:,.2f}<extra></extra>")
    fig.add_vline(x=0, line_dash="dash", line_color=NHS_DARK, annotation_text="MHP start",
                  annotation_position="top")
    fig.update_layout(xaxis=dict(title="Months from the MHP start", dtick=3), yaxis_title=label, height=420,
                      legend=TOP_LEGEND, margin=dict(l=10, r=10, t=70, b=10), plot_bgcolor="white")
    return fig


#: Each quadrant of the need-vs-in-post scatter: colour and symbol (never colour alone).
QUADRANT_STYLES = {"Higher need, fewer MHPs": (COMPARISON_COLOURS["worse"], "triangle-up"),
                   "Higher need, more MHPs": (COMPARISON_COLOURS["higher"], "diamond"),
                   "Lower need, fewer MHPs": (COMPARISON_COLOURS["lower"], "square"),
                   "Lower need, more MHPs": (NHS_BLUE, "circle")}


def need_vs_in_post(frame: pd.DataFrame, x: str, x_label: str, lines: tuple[float, float],
                    selected: str | None) -> go.Figure:
    """Need per 10,000 patients (``x``) against MHP FTE per 10,000 for every PCN that made a return, in four
    quadrants split at England's pooled rates (``lines``), labelled in their corners; PCNs with no MHP lie on the
    axis, drawn as crosses; the selected PCN ringed."""
    placed = frame[(frame.status == "return") & frame[x].notna() & frame.mhp_per_10k.notna()]
    named = _named(placed).astype({"quadrant": str})
    fig = go.Figure()
    if placed.empty:  # nothing to place (no PCN made a return): the page says so beside the empty axes
        return fig
    for name, (colour, symbol) in QUADRANT_STYLES.items():
        part = named[(named.quadrant == name) & (named.mhp_fte > 0)]
        if len(part):
            fig.add_scatter(x=part[x], y=part.mhp_per_10k, mode="markers", name=name,
                            marker=dict(size=8, color=colour, symbol=symbol, line=dict(color="#231F20", width=0.5)),
                            customdata=part[["pcn_name", "pcn_code", "mhp_fte"]],
                            hovertemplate="%{customdata[0]} (%{customdata[1]}): need %{x:.2f}, "
                                          "%{customdata[2]:.2f} MHP FTE (%{y:.2f} per 10,000)<extra></extra>")
    for higher, (colour, _) in ((True, QUADRANT_STYLES["Higher need, fewer MHPs"]),
                                (False, QUADRANT_STYLES["Lower need, fewer MHPs"])):
        none = named[(named.mhp_fte == 0) & named.quadrant.str.startswith("Higher" if higher else "Lower")]
        if len(none):  # on the axis, as crosses: in post, none
            fig.add_scatter(x=none[x], y=none.mhp_per_10k, mode="markers", cliponaxis=False,
                            name=f"No MHP in post ({'higher' if higher else 'lower'} need)",
                            marker=dict(size=8, color=colour, symbol="x-thin-open", line=dict(color=colour, width=2)),
                            customdata=none[["pcn_name", "pcn_code"]],
                            hovertemplate="%{customdata[0]} (%{customdata[1]}): need %{x:.2f}, no MHP in post"
                                          "<extra></extra>")
    chosen = named[named.pcn_code == selected]
    if len(chosen):
        fig.add_scatter(x=chosen[x], y=chosen.mhp_per_10k, mode="markers", name="Selected PCN", cliponaxis=False,
                        marker=dict(size=18, color=NHS_DARK, symbol="circle-open", line=dict(color=NHS_DARK, width=3)),
                        hoverinfo="skip")
        row = chosen.iloc[0]  # its name boxed above the crowd of points, an arrow to its ring
        fig.add_annotation(x=row[x], y=row.mhp_per_10k, text=row.pcn_name, showarrow=True, arrowhead=0, ax=0, ay=-60,
                           arrowcolor=NHS_DARK, bgcolor="rgba(255,255,255,0.92)", bordercolor=NHS_DARK, borderpad=3,
                           font=dict(color=NHS_DARK, size=12))
    need_line, mhp_line = lines
    top = max(float(placed.mhp_per_10k.max()) if len(placed) else 0.0, 0.5)
    step = _nice_step(top / 6)  # ticks from 0 only: the room below 0 is for the quadrants' labels
    if need_line == need_line:
        fig.add_vline(x=need_line, line=dict(color="#425563", dash="dash", width=1))
        fig.add_hline(y=mhp_line, line=dict(color="#425563", dash="dash", width=1))
        for text_, xa, ya, xanchor, yanchor in (
                ("Higher need,<br>fewer MHPs", 1, 0, "right", "bottom"), ("Higher need,<br>more MHPs", 1, 1, "right", "top"),
                ("Lower need,<br>fewer MHPs", 0, 0, "left", "bottom"), ("Lower need,<br>more MHPs", 0, 1, "left", "top")):
            fig.add_annotation(text=f"<b>{text_}</b>", xref="x domain", yref="y domain", x=xa, y=ya, align=xanchor,
                               xanchor=xanchor, yanchor=yanchor, showarrow=False, font=dict(color="#425563"),
                               bgcolor="rgba(255,255,255,0.85)")
    measure_, _, per = x_label.partition(" per ")  # wrapped: a phone's width holds each half
    fig.update_layout(xaxis_title=f"{measure_}<br>per {per} (dashed: England)",
                      yaxis_title="MHP FTE in post<br>per 10,000 patients",
                      yaxis=dict(range=[-0.22 * top, 1.08 * top], tickvals=list(np.arange(0, 1.08 * top, step))),
                      height=560, legend=TOP_LEGEND,
                      margin=dict(l=10, r=10, t=60, b=10), plot_bgcolor="white")
    return fig


def in_post_over_time(frame: pd.DataFrame) -> go.Figure:
    """MHP FTE in post in each edition (one line per PCN, or England's total), an edition that counts no MHPs or
    a PCN's "no return" left as a gap, said in the hover."""
    fig = go.Figure()
    for code, part in frame.groupby("name", sort=False):
        fig.add_scatter(x=part.label, y=part.mhp_fte, mode="lines+markers", name=text.chart(code),
                        marker=dict(size=10, color=NHS_BLUE), line=dict(color=NHS_BLUE, width=3),
                        customdata=part.status_words,
                        hovertemplate="%{x}: %{y:.2f} FTE (%{customdata})<extra></extra>")
    fig.update_layout(xaxis_title="PCN Workforce edition (census month)", yaxis_title="MHP FTE in post",
                      yaxis=dict(rangemode="tozero"), xaxis=dict(type="category"), height=420, legend=TOP_LEGEND,
                      margin=dict(l=10, r=10, t=60, b=10), plot_bgcolor="white")
    return fig
