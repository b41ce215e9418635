"""Every plotly figure of the app, with one colour-blind-safe palette (Fingertips' comparison colours)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

COMPARISON_COLOURS = {  # Fingertips: better/worse are not judged here, only higher/lower
    "higher": "#ED8B00",   # NHS warm yellow/orange
    "similar": "#FFB81C",
    "lower": "#41B6E6",    # NHS light blue
    "not compared": "#AEB7BD",
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
    fig = go.Figure()
    for column, dash, name in (("lower_2s", "dash", "95% limits"), ("upper_2s", "dash", None),
                               ("lower_3s", "solid", "99.8% limits"), ("upper_3s", "solid", None)):
        fig.add_scatter(x=limits.population, y=limits[column], mode="lines", line=dict(color="#425563", dash=dash),
                        name=name or column, showlegend=name is not None, hoverinfo="skip")
    fig.add_scatter(x=limits.population, y=limits.baseline, mode="lines", line=dict(color=NHS_DARK), name="ICB pooled")
    fig.add_scatter(x=frame.denominator, y=frame.value, mode="markers", name="PCNs",
                    marker=dict(size=[14 if c == selected else 9 for c in frame.pcn_code],
                                color=[FUNNEL_COLOURS.get(f, "#AEB7BD") for f in frame.get("funnel", [])],
                                line=dict(color="black", width=1)),
                    customdata=frame[["pcn_name", "funnel"]] if "funnel" in frame else None,
                    hovertemplate="%{customdata[0]}: %{y:.2f} (denominator %{x:,}) %{customdata[1]}<extra></extra>")
    fig.update_layout(xaxis_title="Denominator (patients)", yaxis_title=label, plot_bgcolor="white",
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig
