"""Every plotly figure of the app, with one colour-blind-safe palette (Fingertips' comparison colours)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

COMPARISON_COLOURS = {  # Fingertips: better/worse are not judged here, only higher/lower
    "higher": "#ED8B00",   # NHS warm yellow/orange
    "similar": "#FFB81C",
    "lower": "#41B6E6",    # NHS light blue
    "not compared": "#AEB7BD",
    "suppressed": "#FFFFFF",
}
NHS_BLUE = "#005EB8"
NHS_DARK = "#003087"
FUNNEL_COLOURS = {"High (0.001)": "#ED8B00", "High (0.025)": "#FFB81C", "Not significant": "#AEB7BD",
                  "Low (0.025)": "#41B6E6", "Low (0.001)": "#005EB8"}


def spine_chart(profile: pd.DataFrame, england_range: pd.DataFrame) -> go.Figure:
    """Fingertips-style spine: each indicator's PCN value placed within the range across all PCNs in
    England, centred on England's value; the ICB marked."""
    data = profile.merge(england_range, on="indicator", how="inner")
    data = data[data.value.notna() & data.england_value.notna()]
    span = (data[["hi", "lo"]].sub(data.england_value, axis=0).abs().max(axis=1)).replace(0, 1)
    pos = (data.value - data.england_value) / span
    icb = (data.icb_value - data.england_value) / span
    fig = go.Figure()
    fig.add_bar(y=data.label, x=(data.hi - data.lo) / span, base=(data.lo - data.england_value) / span,
                orientation="h", marker_color="#E8EDEE", name="England range (PCNs)", hoverinfo="skip")
    fig.add_scatter(y=data.label, x=icb, mode="markers", marker=dict(symbol="line-ns-open", size=14, color=NHS_DARK),
                    name="ICB", customdata=data.icb_value, hovertemplate="ICB %{customdata:.2f}<extra></extra>")
    fig.add_scatter(y=data.label, x=pos, mode="markers", name="PCN",
                    marker=dict(size=12, color=[COMPARISON_COLOURS[v] for v in data.vs_england],
                                line=dict(color="black", width=1)),
                    customdata=data[["value", "lower_95", "upper_95", "vs_england"]],
                    hovertemplate="%{y}: %{customdata[0]:.2f} (95% CI %{customdata[1]:.2f}-%{customdata[2]:.2f}), "
                                  "%{customdata[3]} than England<extra></extra>")
    fig.add_vline(x=0, line_color="black")
    fig.update_layout(height=28 * len(data) + 120, xaxis=dict(visible=False, range=[-1.1, 1.1]),
                      yaxis=dict(autorange="reversed"), margin=dict(l=10, r=10, t=30, b=10), legend_orientation="h",
                      plot_bgcolor="white")
    return fig


def league_chart(frame: pd.DataFrame, selected: str | None) -> go.Figure:
    frame = frame.sort_values("value")
    colours = [NHS_DARK if c == selected else COMPARISON_COLOURS[v] for c, v in zip(frame.pcn_code, frame.vs_icb)]
    fig = go.Figure(go.Bar(
        y=frame.pcn_name, x=frame.value, orientation="h", marker_color=colours,
        error_x=dict(type="data", symmetric=False, array=frame.upper_95 - frame.value,
                     arrayminus=frame.value - frame.lower_95, color="#425563"),
        hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    if len(frame):
        fig.add_vline(x=frame.icb_value.iloc[0], line_dash="dash", annotation_text="ICB")
    fig.update_layout(height=22 * len(frame) + 120, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white")
    return fig


def funnel_plot(frame: pd.DataFrame, limits: pd.DataFrame, selected: str | None, label: str) -> go.Figure:
    """Each PCN against its denominator (patients, or expected cases for a ratio) within the control lines
    of queries.funnel_limits; points coloured by their funnel label."""
    ratio = len(frame) > 0 and frame.kind.iloc[0] == "ratio"
    fig = go.Figure()
    for line, dash, name in (("lower_2s", "dash", "95% limits"), ("upper_2s", "dash", None),
                             ("lower_3s", "solid", "99.8% limits"), ("upper_3s", "solid", None)):
        points = limits[limits.line == line]
        fig.add_scatter(x=points.x, y=points.y, mode="lines", line=dict(color="#425563", dash=dash),
                        name=name or line, showlegend=name is not None, hoverinfo="skip")
    baseline = limits[limits.line == "baseline"]
    fig.add_scatter(x=baseline.x, y=baseline.y, mode="lines", line=dict(color=NHS_DARK),
                    name="Expected (100%)" if ratio else "ICB pooled")
    fig.add_scatter(x=frame.denominator, y=frame.value, mode="markers", name="PCNs",
                    marker=dict(size=[14 if c == selected else 9 for c in frame.pcn_code],
                                color=[FUNNEL_COLOURS.get(f, "#AEB7BD") for f in frame.get("funnel", [])],
                                line=dict(color="black", width=1)),
                    customdata=frame[["pcn_name", "funnel"]] if "funnel" in frame else None,
                    hovertemplate="%{customdata[0]}: %{y:.2f} (" + ("expected %{x:,.0f}" if ratio else "denominator %{x:,}")
                    + ") %{customdata[1]}<extra></extra>")
    fig.update_layout(xaxis_title="Expected cases" if ratio else "Denominator (patients)", yaxis_title=label,
                      plot_bgcolor="white", margin=dict(l=10, r=10, t=30, b=10))
    if frame.denominator.notna().any():  # frame the PCNs: the limits run far off at tiny denominators
        lo, hi = 0.5 * frame.denominator.min(), 1.1 * frame.denominator.max()
        seen = pd.concat([limits.y[limits.x.between(lo, hi)], frame.value]).dropna()
        pad = 0.05 * (seen.max() - seen.min())
        fig.update_xaxes(range=[lo, hi])
        fig.update_yaxes(range=[max(0, seen.min() - pad), seen.max() + pad])
    return fig


def pcn_map(geojson: dict, frame: pd.DataFrame, label: str, selected: str | None) -> go.Figure:
    """Choropleth of PCN shapes coloured by the indicator; offline ('white-bg', no tiles)."""
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, featureidkey="properties.pcn_code", locations=frame.pcn_code, z=frame.value,
        colorscale="Blues", marker_line_width=[3 if c == selected else 0.5 for c in frame.pcn_code],
        marker_line_color="#231F20", customdata=frame[["pcn_name", "vs_icb"]],
        colorbar_title=dict(text=label[:30]),
        hovertemplate="%{customdata[0]} (%{location}): %{z:.2f}, %{customdata[1]} than the ICB<extra></extra>"))
    centre, zoom = _view(geojson)
    fig.update_layout(map=dict(style="white-bg", center=centre, zoom=zoom), height=520,
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


def age_pyramid(frame: pd.DataFrame) -> go.Figure:
    """Registered patients by age band, men to the left and women to the right."""
    fig = go.Figure()
    for sex, sign, colour in (("MALE", -1, NHS_BLUE), ("FEMALE", 1, "#ED8B00")):
        part = frame[frame.sex == sex]
        fig.add_bar(y=part.age_band, x=sign * part.patients, orientation="h", name=sex.title(),
                    marker_color=colour, customdata=part.patients,
                    hovertemplate="%{y}: %{customdata:,} " + sex.lower() + " patients<extra></extra>")
    fig.update_layout(barmode="overlay", bargap=0.05, xaxis=dict(title="Registered patients", tickformat=",d"),
                      yaxis=dict(title="Age band"), plot_bgcolor="white", height=460,
                      margin=dict(l=10, r=10, t=30, b=10))
    limit = frame.patients.max() if len(frame) else 1
    values = [-limit, -limit / 2, 0, limit / 2, limit]
    fig.update_xaxes(tickvals=values, ticktext=[f"{abs(v):,.0f}" for v in values])
    return fig


def quintile_chart(frame: pd.DataFrame) -> go.Figure:
    """Share of patients in each national IMD quintile for PCN, ICB and England."""
    fig = go.Figure()
    colours = {"PCN": NHS_BLUE, "ICB": "#41B6E6", "England": "#AEB7BD"}
    for area, part in frame.groupby("area", sort=False):
        fig.add_bar(x=[f"Q{q}" for q in part.quintile], y=part.share, name=area, marker_color=colours[area],
                    hovertemplate=area + " %{x}: %{y:.1f}%<extra></extra>")
    fig.update_layout(barmode="group", xaxis_title="National IMD 2019 quintile (Q1 = most deprived)",
                      yaxis_title="% of registered patients", plot_bgcolor="white", height=380,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def deprivation_gradient(frame: pd.DataFrame) -> go.Figure:
    """NHS Talking Therapies recovery by IMD decile of residence, for the ICB and England."""
    fig = go.Figure()
    colours = {"England": "#AEB7BD"}
    for area, part in frame.groupby("area", sort=False):
        fig.add_scatter(x=part.imd_decile, y=part.recovery, mode="lines+markers", name=area,
                        line=dict(color=colours.get(area, NHS_BLUE), width=3),
                        hovertemplate=area + ", IMD decile %{x}: %{y:.0f}% recovered<extra></extra>")
    fig.update_layout(xaxis=dict(title="IMD 2019 decile of residence (1 = most deprived)", dtick=1),
                      yaxis=dict(title="Recovery (% of those finishing a course)", ticksuffix="%"),
                      plot_bgcolor="white", height=360, legend_orientation="h", legend_y=-0.3,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def interval_chart(frame: pd.DataFrame) -> go.Figure:
    """Each indicator's PCN value with its 95% interval, and the ICB and England values."""
    fig = go.Figure()
    fig.add_scatter(y=frame.label, x=frame.value, mode="markers", name="PCN (95% interval)",
                    marker=dict(size=12, color=[COMPARISON_COLOURS[v] for v in frame.vs_england],
                                line=dict(color="black", width=1)),
                    error_x=dict(type="data", symmetric=False, array=frame.upper_95 - frame.value,
                                 arrayminus=frame.value - frame.lower_95, color="#425563"),
                    hovertemplate="%{y}: %{x:.2f}<extra></extra>")
    fig.add_scatter(y=frame.label, x=frame.icb_value, mode="markers", name="ICB",
                    marker=dict(symbol="line-ns-open", size=16, color=NHS_DARK))
    fig.add_scatter(y=frame.label, x=frame.england_value, mode="markers", name="England",
                    marker=dict(symbol="diamond-open", size=12, color="#231F20"))
    fig.update_layout(height=70 * len(frame) + 120, plot_bgcolor="white", legend_orientation="h",
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def trend_chart(frame: pd.DataFrame) -> go.Figure:
    """Each indicator over the years: PCN with its interval band, ICB and England lines."""
    fig = go.Figure()
    for label, part in frame.groupby("label", sort=False):
        fig.add_scatter(x=part.period, y=part.value, mode="lines+markers", name=f"{label[:40]}: PCN",
                        error_y=dict(type="data", symmetric=False, array=part.upper_95 - part.value,
                                     arrayminus=part.value - part.lower_95),
                        legendgroup=label)
        fig.add_scatter(x=part.period, y=part.england_value, mode="lines", line=dict(dash="dot"),
                        name=f"{label[:40]}: England", legendgroup=label)
    fig.update_layout(xaxis_title="Financial year", yaxis_title="%", plot_bgcolor="white", height=420,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def scatter_chart(frame: pd.DataFrame, x_label: str, y_label: str, selected: str | None) -> go.Figure:
    """Two indicators for every PCN of the ICB, the selected PCN highlighted."""
    chosen = frame.pcn_code == selected
    fig = go.Figure()
    fig.add_scatter(x=frame.x[~chosen], y=frame.y[~chosen], mode="markers", name="PCNs",
                    marker=dict(size=10, color="#41B6E6", line=dict(color="#231F20", width=1)),
                    customdata=frame.pcn_name[~chosen], hovertemplate="%{customdata}: %{x:.2f}, %{y:.2f}<extra></extra>")
    fig.add_scatter(x=frame.x[chosen], y=frame.y[chosen], mode="markers+text", name="Selected PCN",
                    text=frame.pcn_name[chosen], textposition="top center",
                    marker=dict(size=16, color=NHS_DARK, symbol="star"),
                    hovertemplate="%{text}: %{x:.2f}, %{y:.2f}<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, plot_bgcolor="white", height=480,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def ltc_rank_chart(frame: pd.DataFrame) -> go.Figure:
    """The PCN's registers by prevalence, mental-health registers in NHS blue."""
    frame = frame.sort_values("ltc_rank", ascending=False)
    fig = go.Figure(go.Bar(
        y=[f"{r}. {n}" for r, n in zip(frame.ltc_rank, frame.register_name)], x=frame.prevalence, orientation="h",
        marker_color=[NHS_BLUE if m else "#AEB7BD" for m in frame.mental_health],
        customdata=frame.england_prevalence, hovertemplate="%{y}: %{x:.2f}% (England %{customdata:.2f}%)<extra></extra>"))
    fig.update_layout(height=22 * len(frame) + 100, xaxis_title="Prevalence (%)", plot_bgcolor="white",
                      margin=dict(l=10, r=10, t=30, b=10))
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
    names = [f"<b>{n}</b>" if c == selected else n for c, n in zip(table.pcn_code, table.pcn_name)]
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
    fig.update_layout(xaxis_title="WTE", plot_bgcolor="white", height=26 * len(table) + 140,
                      legend_orientation="h", margin=dict(l=10, r=10, t=30, b=10))
    return fig
