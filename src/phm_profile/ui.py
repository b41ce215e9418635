"""The shared sidebar: period, ICB and PCN, kept in st.query_params so a copied link reopens the same view,
and in session state so the choice carries across pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from . import database, mhp, views
from .config import DEFAULT_DB
from .text import markdown as plain  # text from the data (a PCN's name) made literal for Streamlit's markdown

if TYPE_CHECKING:
    from . import workforce


@dataclass(frozen=True)
class Selection:
    db: str
    period: str
    icb_code: str
    pcn_code: str
    suppress: bool = True
    pcn_name: str = ""
    icb_name: str = ""

    @property
    def icb(self) -> str:
        """The ICB as a title names it: its name and code ("NHS Kent and Medway ICB (QKS)"), the code alone if
        unnamed."""
        return f"{self.icb_name} ({self.icb_code})" if self.icb_name and self.icb_name != self.icb_code else self.icb_code


def _choose(label: str, options: list[str], name: str, format_func=str) -> str:
    remembered = st.session_state.setdefault("_selection", {})
    wanted = st.query_params.get(name) or remembered.get(name)
    index = options.index(wanted) if wanted in options else 0
    value = st.sidebar.selectbox(label, options, index=index, format_func=format_func, key=f"sidebar_{name}")
    remembered[name] = value
    st.query_params[name] = value
    return value


#: The app's pages in the sidebar (Streamlit's own list is turned off in .streamlit/config.toml: it would
#: call the overview "app").
PAGES = (("app.py", "ICB overview"), ("pages/1_PCN_profile.py", "PCN profile"),
         ("pages/2_Compare_PCNs.py", "Compare PCNs"), ("pages/4_Workforce_plan.py", "Workforce plan"),
         ("pages/5_MHP_allocation.py", "MHP allocation"), ("pages/6_MHP_impact.py", "MHP impact"),
         ("pages/7_MHPs_in_post.py", "MHPs in post"), ("pages/8_Your_areas.py", "Your areas"),
         ("pages/3_Data_and_methods.py", "Data & methods"))

#: On every page: captions dark enough to read (Streamlit draws them at 60% opacity: 3.9:1 on white; WCAG 2.2 AA asks
#: 4.5:1 for small text; this grey is 6.4:1 on white, 5.7:1 on the sidebar's).
BASE_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 1 !important; color: #5c5f66 !important; }
[data-testid="stCaptionContainer"] p { color: #5c5f66 !important; }
</style>"""
WORKSHOP_CSS = """<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 20px; }
h1 { font-size: 2.6rem !important; }
.phm-tile-value { font-size: 2.6rem !important; }
</style>"""

TILE_CSS = """<style>
.phm-tiles { display: flex; flex-wrap: wrap; gap: 0.75rem 1.5rem; }
.phm-tile { flex: 1 1 8.5rem; }
.phm-tile-label { font-size: 0.875rem; line-height: 1.4; }
.phm-tile-value { font-size: 2.25rem; line-height: 1.3; }
.phm-tile-note { font-size: 0.8rem; line-height: 1.5; color: #5c5f66; }
</style>"""


@dataclass(frozen=True)
class Tile:
    """A headline figure: its label, the value as written, notes beneath it (the comparisons) and a hover help."""
    label: str
    value: str
    notes: tuple[str | None, ...] = ()
    help: str = ""


def database_path() -> Path:
    """The database this session shows: the user's own when they have built one (Data page), else the
    default (the demo, or PHM_DB)."""
    return Path(st.session_state.get("_database", DEFAULT_DB))


def workshop_on() -> bool:
    """Workshop (presentation) mode: in the link, so a shared screen can be reopened as it was."""
    return st.query_params.get("workshop") == "1"


def sidebar() -> Selection:
    workshop = workshop_on()
    st.set_page_config(page_title="PCN mental-health profile", layout="wide",
                       initial_sidebar_state="collapsed" if workshop else "auto")
    st.html(BASE_CSS)  # a style only: drawn in no place of its own
    if workshop:
        st.markdown(WORKSHOP_CSS, unsafe_allow_html=True)
    nav = st.sidebar.container()  # filled below, once the choices the links carry are known
    ensure_database()
    db = database.database_key(database_path())  # the file's identity too: a rebuild is never shown from the cache
    if views.is_demo(db):
        st.warning("Synthetic demo data: every practice, PCN, ICB and figure here is made up.", icon="⚠️")
    period = _choose("Financial year", views.periods(db), "period")
    icbs = views.icbs(db, period)
    names = dict(zip(icbs.icb_code, icbs.icb_name))
    icb = _choose("ICB", list(icbs.icb_code), "icb", lambda c: f"{names.get(c, c)} ({c})")
    pcns = views.pcns(db, period, icb)
    pcn_names = dict(zip(pcns.pcn_code, pcns.pcn_name))
    pcn = _choose("PCN", list(pcns.pcn_code), "pcn", lambda c: f"{pcn_names.get(c, c)} ({c})")
    _area_search(db, period)
    suppress = suppression_on()
    if st.sidebar.toggle("Workshop mode", value=workshop, key="workshop_toggle",
                         help="Larger type, sidebar folded away, the PCN and year in every title.") != workshop:
        if workshop:
            del st.query_params["workshop"]
        else:
            st.query_params["workshop"] = "1"
        st.rerun()
    with st.sidebar.popover("Copy link to this view"):
        st.code(link_to_view(), language=None, wrap_lines=True)
    st.sidebar.caption("Small-number suppression: **on** (counts 1-7 hidden, others rounded to 5)" if suppress
                       else "Small-number suppression: **off** (exact counts shown)")
    carried = {"period": period, "icb": icb, "pcn": pcn, **({"workshop": "1"} if workshop else {})}
    try:
        for page, label in PAGES:
            nav.page_link(page, label=label, query_params=carried)
    except StreamlitPageNotFoundError:  # a page run on its own, not as part of the app: no links to give
        pass
    return Selection(db, period, icb, pcn, suppress, str(pcn_names.get(pcn, pcn)), str(names.get(icb, icb)))


def _area_search(db: str, period: str) -> None:
    """Find a PCN by its name or code, a member practice's name or code, or a postcode district; choosing a match
    selects its ICB and PCN."""
    text = st.sidebar.text_input("Find a PCN", key="area_search", placeholder="PCN, practice or postcode district",
                                 help="A PCN's name or code, a practice's name or code (e.g. A81001), or a postcode "
                                      "district (e.g. LS1) of a member practice, from the ODS practice list.")
    if not text.strip():
        return
    matches = views.find_areas(db, period, text)
    if matches.empty:
        st.sidebar.caption("No PCN, practice or postcode district matches (at least two characters).")
        return
    labels = {i: f"{r.pcn_name} ({r.pcn_code}): {r.found_by}" for i, r in matches.iterrows()}
    st.sidebar.selectbox("Matches", list(labels), index=None, format_func=labels.get, key="area_match",
                         placeholder=f"{len(matches)} found: choose one", on_change=_go_to_match, args=(matches,))


def _go_to_match(matches) -> None:
    """Select the chosen match's ICB and PCN (a callback: it runs before the sidebar's widgets are drawn)."""
    chosen = st.session_state.get("area_match")
    if chosen is None:
        return
    row = matches.loc[chosen]
    remembered = st.session_state.setdefault("_selection", {})
    for name, value in (("icb", row.icb_code), ("pcn", row.pcn_code)):
        remembered[name] = st.query_params[name] = value
        st.session_state.pop(f"sidebar_{name}", None)  # drawn afresh from the link, at the match
    st.session_state["area_search"] = ""
    st.session_state["area_match"] = None


def number_param(name: str, default: float) -> float:
    """A number kept in the link (a what-if shared by copying it); the default when absent or not a number."""
    try:
        value = float(st.query_params.get(name, default))
    except (TypeError, ValueError):
        return default
    return value if value == value and 0 <= value < 1e6 else default


def floors_param() -> dict[str, float]:
    """Floors per PCN kept in the link as 'U12345:1.5,U23456:1'; anything malformed is ignored."""
    out = {}
    for part in str(st.query_params.get("floors", "")).split(","):
        code, _, value = part.partition(":")
        try:
            number = float(value)
        except ValueError:
            continue
        if re.fullmatch(r"U[0-9]{5}", code.strip()) and 0 <= number < 1e4:
            out[code.strip()] = number
    return out


def keep_params(pool: float, step: float, floors: dict[str, float]) -> None:
    """The allocation's what-if in the link: pool, step and the floors that are set."""
    st.query_params["pool"] = f"{pool:g}"
    st.query_params["step"] = f"{step:g}"
    _link_floors(floors)


def _link_floors(floors: dict[str, float]) -> None:
    set_floors = ",".join(f"{code}:{value:g}" for code, value in floors.items() if value)
    if set_floors:
        st.query_params["floors"] = set_floors
    elif "floors" in st.query_params:
        del st.query_params["floors"]


def _dialog_button(label: str, key: str, note: str, dialog, *args, help: str | None = None) -> None:
    """A button that opens ``dialog(*args)``, with a line beside it saying what is in use now."""
    left, right = st.columns([1, 2], vertical_alignment="center")
    if left.button(label, key=key, help=help):
        dialog(*args)
    right.caption(plain(note))  # it names files and sources from the data


def floors_and_current(inputs: pd.DataFrame, posted: pd.Series, used: mhp.Staffing) -> tuple[dict, dict]:
    """Each PCN's floor (the WTE it gets at least; kept in the link) and current MHP WTE (``posted``, from the
    staffing in use, ``used``, unless changed here: kept for the session), edited in a dialog opened by a button: an editor
    in a closed expander is drawn anyway, ~0.1 s of every visit (benchmarks/README.md, session 9)."""
    codes = list(inputs.pcn_code)
    floors = {code: value for code, value in floors_param().items() if code in codes}
    yours = st.session_state.get("_alloc_current", {})
    current = {code: float(yours.get(code, posted.get(code, 0.0))) for code in codes}
    floored = sum(1 for v in floors.values() if v)
    said = "; ".join([f"floors set for {floored} PCN{'s' if floored > 1 else ''}" if floored else "no floors",
                      "current staffing as you set it" if yours else
                      f"current staffing from {used.source}" if len(posted) else "no MHPs in post"])
    _dialog_button("Floors and current staffing per PCN (view or edit)", "alloc_edit", f"{said[0].upper()}{said[1:]}.",
                   _floors_dialog, inputs, floors, current, posted, used)
    return floors, current


@st.dialog("Floors and current staffing per PCN", width="large")
def _floors_dialog(inputs: pd.DataFrame, floors: dict, current: dict, posted: pd.Series,
                   used: mhp.Staffing) -> None:
    from .exports import header

    st.caption("A floor is the WTE a PCN gets at least, whatever its share (kept in the link). "
               + (f"Current staffing is from {plain(used.source)} ({used.when}). "
                  if len(posted) else "")
               + "Change any figure, then use them.")
    edited = st.data_editor(
        pd.DataFrame({"pcn_code": inputs.pcn_code, "pcn_name": inputs.pcn_name,
                      "floor_wte": [floors.get(c, 0.0) for c in inputs.pcn_code],
                      "current_wte": [current[c] for c in inputs.pcn_code]}),
        disabled=["pcn_code", "pcn_name"], hide_index=True, key="alloc_edits",
        column_config={c: st.column_config.NumberColumn(header(c), min_value=0.0, max_value=1e4, step=0.1)
                       if c.endswith("_wte") else header(c) for c in ("pcn_code", "pcn_name", "floor_wte", "current_wte")})
    use, reset = st.columns(2)
    if use.button("Use these figures", type="primary", key="alloc_use"):
        values = edited[["floor_wte", "current_wte"]].apply(pd.to_numeric, errors="coerce").fillna(0.0)
        st.session_state["_alloc_current"] = {  # only what differs from the file: "as you set it" means that
            code: value for code, value in zip(edited.pcn_code, values.current_wte.astype(float))
            if value != float(posted.get(code, 0.0))}
        _link_floors(dict(zip(edited.pcn_code, values.floor_wte.astype(float))))
        st.rerun()
    if reset.button("No floors; current staffing from the file", key="alloc_reset"):
        st.session_state.pop("_alloc_current", None)
        _link_floors({})
        st.rerun()


def ensure_database() -> None:
    """A first run (``streamlit run app.py`` on a fresh clone) builds the demo database, saying so; any other
    missing database, or a file that is not a whole database this tool built (replaced or damaged while the app
    runs), is named with the command that builds it, never a traceback."""
    from . import config, demo, release, store

    path = database_path()
    if path.exists():
        try:  # opened once per file identity: a file replaced while the app runs is checked again
            database.connection(database.database_key(path))
            release.for_path(path)  # the released figures, shown with suppression on
        except release.NotReleased as exc:
            if path != config.DEMO_DB:
                st.error(plain(exc))
                st.stop()
            with st.spinner("The demo database was built by an older version: rebuilding it (about a minute) ..."):
                store.build(config.DEMO_DATA_DIR, config.DEMO_DB)
        except (database.DatabaseUnreadable, OSError) as exc:
            st.error(plain(exc))
            st.stop()
        return
    if path == config.DEMO_DB:
        with st.spinner("First run: writing the synthetic demo extracts and building the demo database (about a "
                        "minute) ..."):
            demo.write_demo(config.DEMO_DATA_DIR, "icb")
            store.build(config.DEMO_DATA_DIR, config.DEMO_DB)
        return
    st.error(f"There is no database at {path.name}. Build one with: python -m phm_profile build --data FOLDER "
             f"--db {path} (or start ./scripts/run.sh for the demo).")
    st.stop()


def link_to_view() -> str:
    """This page's address with the current choices (ICB, PCN, year, indicator, workshop) as parameters."""
    from urllib.parse import urlencode

    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(st.query_params.to_dict())}"




def title(text: str, sel: Selection, about: str | None = None) -> None:
    """The page title; in workshop mode it also says what the page is about (``about``: the PCN unless given;
    "" where the title already says it) and the year, for whoever joins the screen."""
    if workshop_on():
        subject = sel.pcn_name if about is None else about
        st.title(plain(f"{text}: {subject}, {sel.period}" if subject else f"{text}, {sel.period}"))
    else:
        st.title(plain(text))


def bullets(sentences) -> None:
    """Sentences (from the data: a PCN's name shown as written) as one bulleted list: one element, not one each."""
    st.markdown("\n".join(f"- {plain(sentence)}" for sentence in sentences))


def tiles(items: list[Tile]) -> None:
    """Headline figures side by side (wrapping on a phone), drawn as one element. Streamlit's st.metric is an
    element, and a column, per figure: a page's tiles took 0.1-0.2 s of a visit in the browser (benchmarks/README.md,
    session 9). Every text is escaped: a PCN's name is shown as written, never as HTML."""
    from html import escape

    def text(value) -> str:
        return escape(" ".join(str(value).split()))  # one line: a blank line would end the HTML block

    cells = "".join(
        f'<div class="phm-tile" title="{text(t.help)}"><div class="phm-tile-label">{text(t.label)}</div>'
        f'<div class="phm-tile-value">{text(t.value)}</div>'
        + "".join(f'<div class="phm-tile-note">{text(note)}</div>' for note in t.notes if note) + "</div>"
        for t in items)
    st.markdown(f'{TILE_CSS}<div class="phm-tiles">{cells}</div>', unsafe_allow_html=True)


def suppression_on() -> bool:
    """Small-number suppression for this session: on unless switched off on the Data page (always on where the
    server is started with PHM_SUPPRESSION=always)."""
    from . import config

    return config.SUPPRESSION_LOCKED or bool(st.session_state.get("_suppress", True))


#: Indicator figures shown to 2 decimals on screen.
TWO_DECIMALS = ("value", "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value")


def table(frame, **kwargs) -> None:
    """A dataframe on screen, as the query layer returned it (suppressed there when suppression is on)."""
    from .exports import header

    def number(column: str) -> str | None:  # figures as read: indicator values 2 decimals, WTE 1, shares whole %
        if not pd.api.types.is_numeric_dtype(frame[column]):
            return None
        return "%.2f" if column in TWO_DECIMALS else "%.1f" if column.endswith("_wte") else \
            "%.0f" if column.startswith("share_") else None

    config = {c: st.column_config.NumberColumn(header(c), format=number(c)) if number(c) else header(c)
              for c in frame.columns if isinstance(c, str)}
    shown = frame.copy()
    for column in shown.columns:  # a missing text reads "–", never "None" or "nan"
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "–")
    st.dataframe(shown, hide_index=True, column_config=config | kwargs.pop("column_config", {}), **kwargs)


@st.cache_data(show_spinner=False, max_entries=1000)
def _csv(frame) -> bytes:
    """A frame as tidy CSV bytes (exports.tidy), made once per frame rather than on every rerun."""
    from . import exports

    return exports.tidy_csv(frame)


def csv_download(frame, name: str, key: str, label: str = "Download CSV", where=st) -> None:
    """The frame as a CSV file, as the query layer returned it (suppressed there when suppression is on); none in
    workshop mode (a shared screen is for looking, not downloading)."""
    if workshop_on():
        return
    where.download_button(label, _csv(frame), file_name=name, mime="text/csv", key=key)


def choose_indicator(db: str, period: str, label: str = "Indicator",
                     kinds=("proportion", "rate", "ratio", "score", "count"), name: str = "indicator",
                     default: tuple[str, ...] = ("prev_mh",), practices: bool = False) -> str | None:
    """An indicator picker kept in the query parameter ``name`` (shared by the pages that use it), offering the
    indicators with data in ``period`` (with ``practices``, those with practice data); ``default`` in order of
    preference. None when there is none to offer."""
    choices = (views.practice_indicator_choices if practices else views.indicator_choices)(db, period)
    choices = choices[choices.kind.isin(kinds)]
    options = list(choices.indicator)
    if not options:
        return None
    remembered = st.session_state.setdefault("_selection", {})
    wanted = [st.query_params.get(name), remembered.get(name), *default]
    index = next((options.index(w) for w in wanted if w in options), 0)
    value = st.selectbox(label, options, index=index, format_func=views.indicator_labels(db).get,
                         key=f"choose_{name}")
    remembered[name] = value
    st.query_params[name] = value
    return value


#: Chart text in pixels: at least 11 px for reading at a desk, at least 16 px on a shared screen (workshop mode).
CHART_FONT_PX = 13
WORKSHOP_CHART_FONT_PX = 18


def figure(builder, *args, **kwargs) -> dict:
    """``builder(*args, **kwargs)`` (a function of charts.py) as the figure dict the browser is sent, built once
    per set of frames: plotly's figure objects validate every property as they are built, which took most of a
    page's server time. It is sent with charts.TEMPLATE (a few lines, not plotly's ~7 kB)."""
    return _figure(f"{builder.__module__}.{builder.__qualname__}", builder, *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=2000)
def _figure(name: str, _builder, *args, **kwargs) -> dict:  # ``name`` keys the cache (a function is not hashed)
    from .charts import TEMPLATE

    drawn = _builder(*args, **kwargs)
    drawn.layout.template = TEMPLATE
    return drawn.to_plotly_json()


def view(labels: list[str], key: str = "view") -> tuple[str, object]:
    """The page's views as tabs kept in the link (``?view=Trends``), as Fingertips' tabs: only the open one runs
    and is drawn, so opening a page or switching PCN draws one view's charts, not all of them. Returns the open
    view's label and its container."""
    tabs = st.tabs(labels, key=key, bind="query-params")
    return next((label, tab) for label, tab in zip(labels, tabs) if tab.open)


def chart(drawn, frame, name: str, key: str, empty: str = "", download: bool = True) -> None:
    """A figure (a plotly figure, or a dict from ``figure``) with its data downloadable as CSV beneath it (unless
    ``download`` is off, or in workshop mode); without data, a sentence saying why instead of empty axes."""
    if frame is None or frame.empty:
        st.info(empty or "No data for this chart in the loaded extracts.")
        return
    if not isinstance(drawn, dict):
        from .charts import TEMPLATE

        drawn.layout.template = TEMPLATE
        drawn = drawn.to_plotly_json()
    # Streamlit's theme is off (theme=None): it rescales the fonts set here.
    drawn["layout"] = {**drawn.get("layout", {}), "font": {
        "family": "Source Sans Pro, Arial, sans-serif", "color": "#231F20",
        "size": WORKSHOP_CHART_FONT_PX if workshop_on() else CHART_FONT_PX}}
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": name.rsplit(".", 1)[0],
                                                            "scale": 2}}
    st.plotly_chart(drawn, key=f"chart_{key}", config=config, theme=None)
    if download:
        csv_download(frame, name, f"csv_{key}")


def assumptions_form() -> workforce.Assumptions:
    """Every need assumption as a number input (in an expander), remembered across pages."""
    from . import workforce

    saved = st.session_state.setdefault("_assumptions", {})
    defaults = workforce.Assumptions()
    described = workforce.Assumptions.descriptions()
    values = {}
    with st.expander("Need assumptions (units in each label; each says its source or that it is an assumption)",
                     expanded=False):
        cols = st.columns(3)
        for i, name in enumerate(workforce.assumption_fields()):
            default = getattr(defaults, name)
            label, scale = workforce.ASSUMPTION_LABELS[name]
            least = workforce.DIVISOR_MINIMUMS.get(name, 0.0)
            stored = float(saved.get(name, default))
            value = cols[i % 3].number_input(
                label, min_value=least * scale, value=max(stored, least) * scale,
                step=1.0 if scale != 1 or default >= 10 else 0.1, help=described.get(name), key=f"assume_{name}",
                format="%.1f" if scale != 1 else "%.2f" if default < 10 else "%.0f")
            values[name] = value / scale
        if st.button("Reset to defaults", key="assume_reset"):
            saved.clear()
            for name in values:
                st.session_state.pop(f"assume_{name}", None)
            st.rerun()
    saved.update(values)
    return workforce.Assumptions(**values)


def money_edits(figures: pd.DataFrame) -> dict:
    """The money per WTE the user has put in place of the published or derived figures ({(year, band, "cost" or
    "cap"): £}, workforce.money_overrides), kept for the session and edited in a dialog opened by a button: an
    editor in a closed expander is drawn anyway, ~0.1 s of every visit (benchmarks/README.md, session 9)."""
    saved = st.session_state.setdefault("_money_overrides", {})
    _dialog_button("Money per WTE by year and band (view or edit)", "money_edit",
                   f"{len(saved)} of your own figures in use in place of the published or derived ones." if saved
                   else "The published figures are used where there are some; the others are derived, each marked "
                        "as an assumption.", _money_dialog, figures,
                   help="Each figure published (with its source) or derived and marked as an assumption; put your "
                        "own in place of any (e.g. from your ARRS claim).")
    return dict(saved)


@st.dialog("Money per WTE by year and band", width="large")
def _money_dialog(figures: pd.DataFrame) -> None:
    from . import workforce

    st.caption("Published figures are used as published (shared/data/reference/arrs/FACTS.md names each source); "
               "every other figure is derived as its source says and marked as an assumption. Edit a figure to use "
               "your own (e.g. from your ARRS claim), then use them.")
    saved = st.session_state.setdefault("_money_overrides", {})
    edited = st.data_editor(workforce.with_overrides(figures, saved), key="money_editor", hide_index=True,
                            width="stretch", disabled=["year", "band", "status", "source"],
                            column_config={"year": "Year", "band": "AfC band", "status": "Status", "source": "Source",
                                           "cost_per_wte": st.column_config.NumberColumn(
                                               "Employment cost per WTE (£)", format="accounting", step=1, min_value=0),
                                           "cap_per_wte": st.column_config.NumberColumn(
                                               "ARRS maximum per WTE (£)", format="accounting", step=1, min_value=0)})
    use, reset = st.columns(2)
    if use.button("Use these figures", type="primary", key="money_use"):
        st.session_state["_money_overrides"] = workforce.money_overrides(figures, edited)
        st.rerun()
    if reset.button("Back to the published and derived figures", key="money_reset"):
        st.session_state["_money_overrides"] = {}
        st.rerun()


def current_assumptions() -> workforce.Assumptions:
    """The need assumptions as last set on the workforce pages (defaults otherwise)."""
    from . import workforce

    return workforce.Assumptions(**st.session_state.get("_assumptions", {}))


def staffing_in_use(db: str, period: str) -> mhp.Staffing:
    """The MHPs in post with their start dates that every MHP page of this session uses, and where they are from:
    what the user loaded or edited on the MHP impact page (for this database), else the staffing file the build
    kept (bands and start dates: it takes precedence for the PCNs it lists) with the PCN Workforce edition for
    ``period`` (mhp.staffing_edition) for every other PCN (mhp.compose_staffing), else none."""
    census = views.mhp_staffing_edition(db, period)
    unknown = views.mhp_no_return(db, period, census) if census is not None else []
    if db in st.session_state.get("_staffing", {}):
        frame, source = st.session_state["_staffing"][db]
        year_end = f"31 March {int(period[:4]) + 1}"
        when = (f"in post on {year_end} (rows with a start date) or at the census of the PCN Workforce edition"
                if frame.get("as_at", pd.Series(dtype=object)).notna().any() else f"in post on {year_end}")
        return mhp.Staffing(frame, source, when, frozenset(set(unknown) - set(frame.pcn_code)))
    return mhp.compose_staffing(views.impact_staffing(db), views.mhp_staffing(db, census), census, period, unknown)


def staffing(db: str, period: str) -> mhp.Staffing:
    """The staffing in use (staffing_in_use), with a button to load or edit it in a dialog: every row checked as a
    loaded file is (workforce.read_staffing), a problem named by its row and column."""
    used = staffing_in_use(db, period)
    said = st.session_state.get("_staffing_said", {}).get(db, "")
    posts = len(used.frame)
    _dialog_button("MHP staffing: load a file or edit the table", "staffing_edit",
                   f"Staffing from {used.source}: {posts} post{'' if posts == 1 else 's'} (used on every MHP page)."
                   + (f" {said}" if said else ""),
                   _staffing_dialog, db, used.frame, used.source,
                   help="Who is in post, and from when: pcn_code, role, band, wte, start_date, end_date.")
    return used


def carry_staffing(old_db: str, result) -> str:
    """After an upload is built (``result``, a store.BuildResult, replacing the data ``old_db``): staffing loaded or
    edited on the MHP impact page stays in use with the new data, unless the upload carries a staffing file of its
    own, which replaces it, or its PCN codes are not in the upload's mappings. Returns the sentence saying which
    ("" when none was loaded), also shown beside the staffing on the MHP impact page: it never vanishes unsaid."""
    from . import store, workforce

    kept = st.session_state.get("_staffing", {}).get(old_db)
    if kept is None:
        return ""
    frame, source = kept
    new_db = database.database_key(result.db_path)
    loaded = f"The staffing you loaded on the MHP impact page ({source})"
    if result.staffing:
        said = f"{loaded} is replaced by {result.staffing}, the staffing file in your upload."
    else:
        try:
            workforce.read_staffing(frame.to_csv(index=False, date_format="%Y-%m-%d").encode(), source,
                                    store.pcn_codes(database.connection(new_db)) or None)
        except workforce.StaffingFileError as exc:
            said = (f"{loaded} is not kept: {exc.problems[0]} (in your upload's mappings). Your upload has no "
                    "staffing file.")
        else:
            st.session_state.setdefault("_staffing", {})[new_db] = kept
            said = f"{loaded} is kept with your upload, which has no staffing file."
    st.session_state.setdefault("_staffing_said", {})[new_db] = said
    return said


def problems(error, after: str = "") -> None:
    """An error that quotes a file's values (a StaffingFileError: one problem a line) shown as text, a line each: a
    value is never read as markdown (an image fetched from elsewhere, a link)."""
    st.error("  \n".join(plain(line) for line in str(error).splitlines()) + (f"\n\n{plain(after)}" if after else ""))


@st.dialog("MHP staffing: who is in post, and from when", width="large")
def _staffing_dialog(db: str, base: pd.DataFrame, source: str) -> None:
    from . import own_data, store, workforce

    pcns = store.pcn_codes(database.connection(db)) or None  # codes in none of the data's mappings are refused
    published = base.reindex(columns=list(mhp.STAFFING_COLUMNS))  # the PCN Workforce's windows and census dates:
    base = base.reindex(columns=list(mhp.STAFFING_COLUMNS[:6]))   # not edited here, put back on unchanged rows
    upload = st.file_uploader("A staffing file (CSV: pcn_code, role, band, wte, start_date, end_date)",
                              type="csv", key="staffing_upload")
    if upload is not None:
        name = own_data.safe_name(upload.name)  # shown in captions on every MHP page: no markdown in it
        try:
            (loaded, notes), source = workforce.staffing_and_notes(upload.getvalue(), name, pcns), name
        except workforce.StaffingFileError as exc:
            problems(exc, "The staffing in use is kept.")
        else:  # the file speaks for the PCNs it lists; the PCN Workforce's posts stay for every other PCN
            rest = published[published.as_at.notna() & ~published.pcn_code.isin(set(loaded.pcn_code))]
            base = pd.concat([loaded.reindex(columns=base.columns), rest[base.columns]], ignore_index=True)
            if len(rest):
                source = (f"{name} for its PCNs, {mhp.SOURCE}, {mhp.edition_name(rest.as_at.iloc[0])} for every "
                          "other PCN")
            if notes:
                st.info("  \n".join(plain(note) for note in notes))
    st.caption(f"From {plain(source)}: {len(base)} post{'' if len(base) == 1 else 's'}. Add, change or delete rows; dates "
               "as YYYY-MM-DD; then use this staffing.")
    edited = st.data_editor(
        base, num_rows="dynamic", hide_index=True, key=f"staffing_editor_{source}",
        column_config={"pcn_code": "PCN code", "role": st.column_config.SelectboxColumn("Role", options=["adult", "cyp"]),
                       "band": st.column_config.SelectboxColumn("AfC band", options=list(workforce.BANDS)),
                       "wte": st.column_config.NumberColumn("WTE", min_value=0.0, max_value=10.0, step=0.1),
                       "start_date": st.column_config.DateColumn("Start date"),
                       "end_date": st.column_config.DateColumn("End date")})
    try:
        checked = workforce.read_staffing(edited.to_csv(index=False, date_format="%Y-%m-%d").encode(),
                                          "the staffing table on screen", pcns)
    except workforce.StaffingFileError as exc:
        problems(exc, "Correct it, or close this window to keep the staffing in use.")
        checked = None
    use, reset = st.columns(2)
    if use.button("Use this staffing", type="primary", key="staffing_use", disabled=checked is None):
        changed = not mhp.same_posts(checked, base)
        kept = mhp.with_published_dates(checked, published)
        source = source.removesuffix(", as edited")
        st.session_state.setdefault("_staffing", {})[db] = (kept, f"{source}, as edited" if changed else source)
        st.rerun()
    if reset.button("Back to the staffing loaded with the data", key="staffing_reset"):
        st.session_state.get("_staffing", {}).pop(db, None)
        st.rerun()


# -- Your own areas -------------------------------------------------------------------------------------------

def browser() -> str:
    """This browser's id (own_data.browser_id, from its cookie), the cookie written while it is new: the area sets
    saved here are kept under it."""
    from . import own_data

    if "_browser" not in st.session_state:
        st.session_state["_browser"] = own_data.browser_id(st.context.cookies.get(own_data.BROWSER_COOKIE))
    browser_id, new = st.session_state["_browser"]
    if new:  # a random id of our own, never text from the request
        st.html(f"<script>document.cookie = '{own_data.BROWSER_COOKIE}={browser_id}; path=/; max-age=31536000; "
                "SameSite=Strict';</script>", unsafe_allow_javascript=True)
    return browser_id


def area_set(db: str, period: str, icb_code: str):
    """The area set in use (areas.AreaSet): one shipped with the data (areas/*.csv) or one this browser saved
    (loaded from a file or made here: own_data.save_area_set), chosen in a list and kept in the link as
    ``?areas=`` the shipped set's name or the saved set's short id; a button opens the dialog to load or make one.
    A saved set's id in a link opened in another browser is said to be kept in the browser that saved it. None
    without any set."""
    from . import areas, own_data

    shipped = views.area_sets(db)
    sets = {name: areas.AreaSet(name, rows[["area_name", "code", "kind"]].reset_index(drop=True))
            for name, rows in shipped.groupby("set_name", sort=False)}
    practices, pcns = views.area_codes(db)
    for set_id, (name, content) in own_data.saved_area_sets(browser()).items():
        try:
            read = areas.read_area_set(content, name, practices, pcns)
        except areas.AreaFileError:
            continue  # its codes are of other data: not offered with this data
        read.name = name
        sets[set_id] = read
    wanted = st.query_params.get("areas")
    if (saved := st.session_state.pop("_area_set_saved", None)) in sets:  # just saved: chosen (before its widget)
        wanted = st.session_state["area_set_choice"] = saved
    if wanted and wanted not in sets and own_data.SAVED_SET_ID.fullmatch(wanted):
        st.warning(f"The areas of this link ({wanted}) are kept in the browser that saved them, not in this one: "
                   "areas are kept per browser. On that browser, download the set (Your areas, Practices) and load "
                   "the file here with the button below.")
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    chosen = None
    if sets:
        keys = list(sets)
        chosen = left.selectbox(
            "Area set", keys, index=keys.index(wanted) if wanted in keys else 0, key="area_set_choice",
            format_func=lambda k: f"{sets[k].name} ({len(sets[k].areas)} areas"
                                  + (", saved in this browser)" if own_data.SAVED_SET_ID.fullmatch(k) else ")"))
        st.query_params["areas"] = chosen
    if right.button("Load a file or make areas", key="areas_edit"):
        _areas_dialog(db, period, icb_code)
    return sets.get(chosen)


@st.dialog("Your own areas", width="large")
def _areas_dialog(db: str, period: str, icb_code: str) -> None:
    from . import areas, own_data

    practices, pcns = views.area_codes(db)
    st.markdown("A CSV with the columns `area_name` and `code`, one row per practice or PCN (a PCN stands for its "
                "practices). An area may be one practice or many PCNs; areas may overlap.")
    upload = st.file_uploader("An area file (CSV)", type="csv", key="areas_upload")
    made = None
    if upload is not None:
        name = own_data.safe_name(upload.name)
        try:
            made = areas.read_area_set(upload.getvalue(), name, practices, pcns)
        except areas.AreaFileError as exc:
            problems(exc, "Nothing of the file is kept.")
    st.markdown(f"**Or make an area here** from the PCNs and practices of ICB {plain(icb_code)}")
    title = st.text_input("Area name", key="areas_make_name", max_chars=areas.MAX_NAME)
    icb_pcns = views.pcns(db, period, icb_code)
    members = views.area_members(db, tuple((c, c) for c in icb_pcns.pcn_code), period, suppression_on())
    labels = {r.pcn_code: f"{r.pcn_name} ({r.pcn_code}): the whole PCN" for r in icb_pcns.itertuples()}
    labels |= {r.practice_code: f"{r.practice_name} ({r.practice_code}), practice of {r.pcn_code}"
               for r in members.itertuples()}
    picked = st.multiselect("PCNs and practices", list(labels), format_func=labels.get, key="areas_make_codes")
    if picked:
        chosen = members[members.practice_code.isin(picked) | members.pcn_code.isin(picked)].drop_duplicates(
            "practice_code")
        st.caption(f"{len(chosen)} practice{'s' if len(chosen) != 1 else ''}, "
                   + (f"{chosen.list_size.sum():,.0f} registered patients" if chosen.list_size.notna().any()
                      else "list size not known")
                   + (f" ({int(chosen.list_size.isna().sum())} with the list hidden)" if chosen.list_size.isna().any()
                      else "") + ".")
    if made is None and title.strip() and picked:
        made = areas.from_picks({title.strip(): picked}, practices, pcns)
        made.name = title.strip()
    if made is not None:
        if made.notes:
            st.info("  \n".join(plain(str(n)) for n in made.notes))
        st.caption(plain(f"{made.name}: {len(made.areas)} area{'s' if len(made.areas) > 1 else ''}, "
                         f"{len(made.members)} rows."))
    if st.button("Use these areas", type="primary", key="areas_use", disabled=made is None):
        st.session_state["_area_set_saved"] = own_data.save_area_set(browser(), made.name, areas.to_csv(made))
        st.rerun()
