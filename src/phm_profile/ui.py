"""The shared sidebar: period, ICB and PCN, kept in st.query_params so a copied link reopens the same view,
and in session state so the choice carries across pages."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import views


@dataclass(frozen=True)
class Selection:
    db: str
    period: str
    icb_code: str
    pcn_code: str
    suppress: bool = True


def _choose(label: str, options: list[str], name: str, format_func=str) -> str:
    remembered = st.session_state.setdefault("_selection", {})
    wanted = st.query_params.get(name) or remembered.get(name)
    index = options.index(wanted) if wanted in options else 0
    value = st.sidebar.selectbox(label, options, index=index, format_func=format_func, key=f"sidebar_{name}")
    remembered[name] = value
    st.query_params[name] = value
    return value


def sidebar() -> Selection:
    st.set_page_config(page_title="PCN mental-health profile", layout="wide")
    db = str(views.database_path())
    if views.is_demo(db):
        st.warning("Synthetic demo data: every practice, PCN, ICB and figure here is made up.", icon="⚠️")
    period = _choose("Financial year", views.periods(db), "period")
    icbs = views.icbs(db, period)
    names = dict(zip(icbs.icb_code, icbs.icb_name))
    icb = _choose("ICB", list(icbs.icb_code), "icb", lambda c: f"{names.get(c, c)} ({c})")
    pcns = views.pcns(db, period, icb)
    pcn_names = dict(zip(pcns.pcn_code, pcns.pcn_name))
    pcn = _choose("PCN", list(pcns.pcn_code), "pcn", lambda c: f"{pcn_names.get(c, c)} ({c})")
    suppress = suppression_on()
    st.sidebar.caption("Small-number suppression: **on** (counts 1-7 hidden, others rounded to 5)" if suppress
                       else "Small-number suppression: **off** (exact counts shown)")
    return Selection(db, period, icb, pcn, suppress)


def suppression_on() -> bool:
    """Small-number suppression for this session: on unless switched off on the Data page."""
    return bool(st.session_state.get("_suppress", True))


def _safe(frame):
    from . import suppression

    return suppression.protect(frame) if suppression_on() else frame


def table(frame, **kwargs) -> None:
    """A dataframe on screen, protected by small-number suppression when it is on."""
    st.dataframe(_safe(frame), hide_index=True, **kwargs)


def csv_download(frame, name: str, key: str) -> None:
    """The frame as a CSV file (protected by small-number suppression when it is on)."""
    st.download_button("Download CSV", _safe(frame).to_csv(index=False).encode(), file_name=name, mime="text/csv", key=key)


def choose_indicator(db: str, label: str = "Indicator", kinds=("proportion", "rate", "ratio", "score", "count"),
                     name: str = "indicator", default: str = "prev_mh") -> str:
    """An indicator picker kept in the query parameter ``name`` (shared by the pages that use it)."""
    choices = views.indicator_choices(db)
    choices = choices[choices.kind.isin(kinds)]
    options = list(choices.indicator)
    labels = dict(zip(choices.indicator, choices.label))
    remembered = st.session_state.setdefault("_selection", {})
    wanted = st.query_params.get(name) or remembered.get(name) or default
    index = options.index(wanted) if wanted in options else 0
    value = st.selectbox(label, options, index=index, format_func=labels.get, key=f"choose_{name}")
    remembered[name] = value
    st.query_params[name] = value
    return value


def chart(figure, frame, name: str, key: str) -> None:
    """A figure with its data downloadable as CSV beneath it."""
    st.plotly_chart(figure, key=f"chart_{key}")
    csv_download(frame, name, f"csv_{key}")


def assumptions_form() -> "workforce.Assumptions":
    """Every need assumption as a number input (in an expander), remembered across pages."""
    from . import workforce

    saved = st.session_state.setdefault("_assumptions", {})
    defaults = workforce.Assumptions()
    described = workforce.Assumptions.descriptions()
    values = {}
    with st.expander("Assumptions (change any of them; defaults documented)", expanded=False):
        cols = st.columns(3)
        for i, name in enumerate(workforce.assumption_fields()):
            default = getattr(defaults, name)
            step = 0.01 if default < 1 else 1.0
            values[name] = cols[i % 3].number_input(
                name.replace("_", " ").capitalize(), min_value=0.0, value=float(saved.get(name, default)),
                step=step, help=described.get(name), key=f"assume_{name}", format="%.2f" if step < 1 else "%.0f")
        if st.button("Reset to defaults", key="assume_reset"):
            saved.clear()
            for name in values:
                st.session_state.pop(f"assume_{name}", None)
            st.rerun()
    saved.update(values)
    return workforce.Assumptions(**values)
