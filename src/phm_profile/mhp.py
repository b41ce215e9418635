"""Mental Health Practitioners in post in every PCN, from NHS England's PCN Workforce (readers/pcn_workforce.py,
marts/pcn_mhp_in_post.sql), beside each PCN's ARRS entitlement and its need-based WTE (workforce.py).

Three states are kept apart everywhere: a PCN that made a return (its MHP FTE, 0 when it has none), a PCN with no
row in the edition ("no return": not known, never 0), and an edition that counts no MHPs at all (the publisher
tagged no MHP role before 2023: "not counted"). Staff FTE are not patient counts: suppression does not change them;
the need beside them is worked from released counts (queries.workforce_inputs' rule)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from . import suppression, workforce
from .release import releasable

RETURN, NO_RETURN, NOT_COUNTED = "return", "no return", "not counted"
STATUS_WORDS = {RETURN: "In the edition", NO_RETURN: "No return (no row in the edition)",
                NOT_COUNTED: "Not counted (the edition counts no MHPs)"}
FIGURES = ("mhp_fte", "mhp_fte_adult", "mhp_fte_cyp", "mhp_fte_employed", "mhp_fte_contracted", "mhp_headcount")
SOURCE = "NHS England, Primary Care Network Workforce"

#: What the publisher says of its figures, stated beside them (PCN Workforce methodology and definitions).
CAVEATS = (
    "FTE 1.0 is 37.5 hours a week; the figures are the staff in post on the last day of the census month.",
    "Contracted services (staff such as the mental-health trust's MHPs working in the PCN) have FTE but no "
    "identifier, so no headcount; NHS England notes staff employed by a trust may also be counted in that trust's "
    "workforce figures: contracted FTE is shown as its own figure.",
    "A PCN with no row in an edition made no return: its MHPs are not known, which is not the same as none.",
    "The publisher tagged no Mental Health Practitioner role before 2023: an earlier edition does not count MHPs "
    "(its link workers and wellbeing practitioners are other staff).",
    "The collection does not mark which posts the ARRS reimburses: the PCN team is shown as published.",
)

#: A PCN's place on the need-vs-in-post scatter, against England's pooled rates.
QUADRANTS = ("Higher need, fewer MHPs", "Higher need, more MHPs", "Lower need, fewer MHPs", "Lower need, more MHPs")

#: The measures of need the scatter can put against MHPs in post (per 10,000 registered patients).
NEED_MEASURES = {"need_per_10k": "Need-based MHP WTE per 10,000 patients",
                 "smi_per_10k": "SMI register per 10,000 patients",
                 "depression_per_10k": "Depression register per 10,000 patients"}


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchall()[0][0])


def editions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every PCN Workforce edition loaded, newest first: census (date), label (YYYY-MM), period (its financial
    year), rows, pcns, counts_mhps, mhp_rows, source_file. Empty when none is loaded."""
    if not _has(con, "workforce_editions"):
        return pd.DataFrame(columns=["census", "label", "period", "rows", "pcns", "counts_mhps", "mhp_rows",
                                     "source_file"])
    frame = con.execute("SELECT * FROM workforce_editions ORDER BY census DESC").df()
    frame["census"] = pd.to_datetime(frame.census)
    return frame


def edition_name(census) -> str:
    return pd.Timestamp(census).strftime("%B %Y")


@releasable
def in_post(con: duckdb.DuckDBPyConnection, period: str, census, suppress: bool) -> pd.DataFrame:
    """Every PCN of England in ``period`` (its need inputs, released when ``suppress``) with the PCN Workforce of
    ``census``: its MHP figures (FIGURES), other_mh_fte, team_fte and a status (RETURN, NO_RETURN, NOT_COUNTED)."""
    frame = con.execute("""
        WITH names AS (SELECT icb_code, any_value(icb_name) AS icb_name FROM practice_pcn WHERE period = ?
                       GROUP BY icb_code),
        edition AS (SELECT * FROM workforce_editions WHERE census = ?)
        SELECT n.*, names.icb_name, w.mhp_fte, w.mhp_fte_adult, w.mhp_fte_cyp, w.mhp_fte_employed,
               w.mhp_fte_contracted, w.mhp_headcount, w.other_mh_fte, w.team_fte,
               CASE WHEN NOT (SELECT any_value(counts_mhps) FROM edition) THEN 'not counted'
                    WHEN w.pcn_code IS NULL THEN 'no return' ELSE 'return' END AS status
        FROM pcn_need_inputs n LEFT JOIN names USING (icb_code)
        LEFT JOIN pcn_mhp_in_post w ON w.pcn_code = n.pcn_code AND w.census = ?
        WHERE n.period = ? ORDER BY n.icb_code, n.pcn_code""",
                        [period, pd.Timestamp(census).date(), pd.Timestamp(census).date(), period]).df()
    frame = frame.drop(columns=["period"])
    return suppression.protect(frame) if suppress else frame


def no_return(con: duckdb.DuckDBPyConnection, period: str) -> list[str]:
    """The PCNs of ``period`` with no row in the latest edition that counts MHPs (their MHPs are not known: the MHP
    pages, using that edition as their staffing, say so rather than show 0). Empty without such an edition."""
    counted = editions(con)
    counted = counted[counted.counts_mhps]
    if counted.empty:
        return []
    return [r[0] for r in con.execute("""
        SELECT pcn_code FROM pcn_need_inputs WHERE period = ? AND pcn_code NOT IN
            (SELECT pcn_code FROM pcn_mhp_in_post WHERE census = ?) ORDER BY pcn_code""",
        [period, counted.census.iloc[0].date()]).fetchall()]


def not_in_mapping(con: duckdb.DuckDBPyConnection, period: str, census) -> pd.DataFrame:
    """The PCNs of the edition that are in no practice-to-PCN mapping of ``period``: kept under their codes (their
    staff are in the export), with no list size or need known."""
    if not _has(con, "pcn_mhp_in_post"):
        return pd.DataFrame(columns=["PCN code", "PCN", "ICB (in the file)", "MHP FTE", "Whole team FTE"])
    return con.execute("""
        SELECT pcn_code AS "PCN code", pcn_name AS "PCN", icb_name AS "ICB (in the file)",
               round(mhp_fte, 2) AS "MHP FTE", round(team_fte, 2) AS "Whole team FTE" FROM pcn_mhp_in_post
        WHERE census = ? AND pcn_code NOT IN (SELECT pcn_code FROM pcn_need_inputs WHERE period = ?)
        ORDER BY 1""", [pd.Timestamp(census).date(), period]).df()


def england_totals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """England's MHP figures in every edition (from the publisher's rows, every PCN code as published): census,
    pcns (made a return), pcns_with_mhp and the FIGURES summed; NaN where the edition counts no MHPs."""
    if not _has(con, "pcn_mhp_in_post"):
        return pd.DataFrame(columns=["census", "pcns", "pcns_with_mhp", *FIGURES])
    frame = con.execute(f"""
        SELECT census, count(*) AS pcns, count(*) FILTER (WHERE mhp_fte > 0) AS pcns_with_mhp,
               {', '.join(f'sum({c}) AS {c}' for c in FIGURES)}
        FROM pcn_mhp_in_post GROUP BY census ORDER BY census""").df()
    frame["census"] = pd.to_datetime(frame.census)
    return frame


def table(frame: pd.DataFrame, year: str, assumptions: workforce.Assumptions | None = None) -> pd.DataFrame:
    """``frame`` (in_post, every PCN of England) with its entitlement for ``year`` (by list size), need-based WTE
    (the need model), the gaps (in post minus each), rates per 10,000 patients and each PCN's quadrant against
    England's pooled need and MHP rates (of the PCNs that made a return). Rates from the released list sizes."""
    out = workforce.need(frame, assumptions or workforce.Assumptions())
    known = out.status == RETURN
    size = out.list_size.astype(float).where(out.list_size > 0)
    out["entitlement_wte"] = [workforce.entitlement(s if s == s else 0, year) for s in out.list_size.astype(float)]
    out["gap_to_entitlement"] = out.mhp_fte - out.entitlement_wte
    out["gap_to_need"] = out.mhp_fte - out.need_wte
    out["mhp_per_10k"] = 10_000 * out.mhp_fte / size
    out["need_per_10k"] = 10_000 * out.need_wte / size
    out["smi_per_10k"] = 10_000 * out.smi_register / size
    out["depression_per_10k"] = 10_000 * out.depression_register / size
    pooled = known & size.notna()
    england_need = 10_000 * out.need_wte[pooled].sum() / size[pooled].sum() if pooled.any() else np.nan
    england_mhp = 10_000 * out.mhp_fte[pooled].sum() / size[pooled].sum() if pooled.any() else np.nan
    out.attrs.update(england_need_per_10k=england_need, england_mhp_per_10k=england_mhp)
    out["quadrant"] = [quadrant(n, m, england_need, england_mhp) if k else STATUS_WORDS[s]
                       for n, m, k, s in zip(out.need_per_10k, out.mhp_per_10k, known, out.status)]
    return out


def quadrant(need: float, mhps: float, need_line: float, mhp_line: float) -> str:
    """Where a PCN sits against England's lines: higher need is above England's need per 10,000, fewer MHPs below
    (or at) England's MHP FTE per 10,000."""
    if need != need or mhps != mhps:
        return "Not placed (no list size)"
    return f"{'Higher' if need > need_line else 'Lower'} need, {'more' if mhps > mhp_line else 'fewer'} MHPs"


def with_quadrant_lines(frame: pd.DataFrame, measure: str) -> tuple[float, float]:
    """England's pooled lines of the scatter for ``measure`` (NEED_MEASURES) and MHPs per 10,000, from the PCNs
    that made a return."""
    known = (frame.status == RETURN) & frame.list_size.gt(0)
    size = frame.list_size[known].astype(float).sum()
    column = {"need_per_10k": "need_wte", "smi_per_10k": "smi_register",
              "depression_per_10k": "depression_register"}[measure]
    if not size:
        return np.nan, np.nan
    return 10_000 * frame[column][known].sum() / size, 10_000 * frame.mhp_fte[known].sum() / size


def placed(frame: pd.DataFrame, measure: str, lines: tuple[float, float]) -> pd.DataFrame:
    """``frame`` (table) with each PCN's quadrant worked from ``measure`` (NEED_MEASURES) against England's
    ``lines`` for it (with_quadrant_lines of England's table), as the scatter places it."""
    need_line, mhp_line = lines
    known = frame.status == RETURN
    return frame.assign(quadrant=[quadrant(n, m, need_line, mhp_line) if k else STATUS_WORDS[s]
                                  for n, m, k, s in zip(frame[measure], frame.mhp_per_10k, known, frame.status)])


def no_mhp(frame: pd.DataFrame) -> pd.DataFrame:
    """The PCNs that made a return with no MHP in post, highest need per 10,000 first."""
    return frame[(frame.status == RETURN) & (frame.mhp_fte == 0)].sort_values("need_per_10k", ascending=False)


#: The in-post table's columns as shown and exported (key: (heading, number format)).
TABLE_COLUMNS = {
    "icb_name": ("ICB", None), "pcn_code": ("PCN code", None), "pcn_name": ("PCN", None),
    "list_size": ("List size", "%d"), "status": ("In the PCN Workforce", None),
    "mhp_fte": ("MHP FTE in post", "%.2f"), "mhp_fte_adult": ("Adult MHP FTE", "%.2f"),
    "mhp_fte_cyp": ("CYP MHP FTE", "%.2f"), "mhp_fte_employed": ("Employed MHP FTE", "%.2f"),
    "mhp_fte_contracted": ("Contracted MHP FTE", "%.2f"), "mhp_headcount": ("Employed MHP headcount", "%d"),
    "entitlement_wte": ("ARRS entitlement (WTE)", "%.1f"), "gap_to_entitlement": ("In post minus entitlement", "%.2f"),
    "need_wte": ("Need-based WTE", "%.2f"), "gap_to_need": ("In post minus need", "%.2f"),
    "mhp_per_10k": ("MHP FTE per 10,000", "%.2f"), "need_per_10k": ("Need WTE per 10,000", "%.2f"),
    "quadrant": ("Against England", None), "other_mh_fte": ("Same roles, not tagged MHP (FTE)", "%.2f"),
}


def table_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The in-post table as shown and exported: the status in words, gaps largest shortfall first, rounded."""
    out = frame.sort_values(["gap_to_need", "pcn_code"], na_position="last")[list(TABLE_COLUMNS)].copy()
    out["status"] = out.status.map(STATUS_WORDS)
    for column, (_, fmt) in TABLE_COLUMNS.items():
        if fmt and fmt.endswith("f"):
            out[column] = out[column].astype(float).round(int(fmt[2]))
    return out.rename(columns={k: v[0] for k, v in TABLE_COLUMNS.items()})


# -- Over time ----------------------------------------------------------------------------------------------------

def over_time(con: duckdb.DuckDBPyConnection, pcn_codes: list[str]) -> pd.DataFrame:
    """Each PCN of ``pcn_codes`` in every edition: census, label, pcn_code, status and its MHP figures (NaN where
    not known)."""
    if not _has(con, "pcn_mhp_in_post") or not pcn_codes:
        return pd.DataFrame(columns=["census", "label", "pcn_code", "status", *FIGURES])
    frame = con.execute(f"""
        SELECT e.census, e.label, c.pcn_code,
               CASE WHEN NOT e.counts_mhps THEN 'not counted' WHEN w.pcn_code IS NULL THEN 'no return'
                    ELSE 'return' END AS status, {', '.join(f'w.{c}' for c in FIGURES)}
        FROM workforce_editions e CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS pcn_code) c
        LEFT JOIN pcn_mhp_in_post w ON w.census = e.census AND w.pcn_code = c.pcn_code
        ORDER BY c.pcn_code, e.census""", [list(pcn_codes)]).df()
    frame["census"] = pd.to_datetime(frame.census)
    return frame


def start_windows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each PCN's first edition with an MHP in post (``first_seen``) and, where the edition just before it counted
    MHPs and the PCN returned none, that edition (``none_at``): its MHP started between the two census months.
    Otherwise none_at is NaT: it started by first_seen, when is not known."""
    if not _has(con, "pcn_mhp_in_post"):
        return pd.DataFrame(columns=["pcn_code", "first_seen", "none_at"])
    frame = con.execute("""
        WITH ordered AS (SELECT census, counts_mhps, lag(census) OVER (ORDER BY census) AS before
                         FROM workforce_editions),
        first AS (SELECT pcn_code, min(census) AS first_seen FROM pcn_mhp_in_post WHERE mhp_fte > 0 GROUP BY pcn_code)
        SELECT f.pcn_code, f.first_seen,
               CASE WHEN p.counts_mhps AND w.mhp_fte = 0 THEN o.before END AS none_at
        FROM first f JOIN ordered o ON o.census = f.first_seen
        LEFT JOIN workforce_editions p ON p.census = o.before
        LEFT JOIN pcn_mhp_in_post w ON w.census = o.before AND w.pcn_code = f.pcn_code
        ORDER BY f.pcn_code""").df()
    for column in ("first_seen", "none_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def staffing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Who is in post by the latest edition that counts MHPs, as a staffing frame (workforce.read_staffing's columns:
    pcn_code, role, band, wte, start_date, end_date) plus ``window_from``: one row per PCN and role (adult, CYP),
    no band (the collection has none); where the edition before the PCN's first MHP counted MHPs and showed none
    there, start_date is that first census and window_from the census before (the MHP started in between); both
    empty otherwise (in post, start not known). Rows whose role is
    neither adult nor CYP are left out (in_post counts them in the PCN's MHP FTE)."""
    empty = pd.DataFrame({"pcn_code": pd.Series(dtype=str), "role": pd.Series(dtype=str),
                          "band": pd.Series(dtype=object), "wte": pd.Series(dtype=float),
                          "start_date": pd.Series(dtype="datetime64[us]"), "end_date": pd.Series(dtype="datetime64[us]"),
                          "window_from": pd.Series(dtype="datetime64[us]")})
    counted = editions(con)
    counted = counted[counted.counts_mhps]
    if counted.empty:
        return empty
    latest = counted.census.iloc[0].date()
    frame = con.execute("""
        SELECT pcn_code, mhp_role AS role, sum(fte) AS wte FROM pcn_workforce
        WHERE census = ? AND is_mhp AND mhp_role IN ('adult', 'cyp') GROUP BY ALL HAVING sum(fte) > 0
        ORDER BY pcn_code, role""", [latest]).df()
    if frame.empty:
        return empty
    windows = start_windows(con).set_index("pcn_code")
    frame["band"] = None
    known = frame.pcn_code.map(windows.none_at).notna()
    frame["start_date"] = frame.pcn_code.map(windows.first_seen).where(known).astype("datetime64[us]")
    frame["end_date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    frame["window_from"] = frame.pcn_code.map(windows.none_at).astype("datetime64[us]")
    return frame[list(empty.columns)]


def team(con: duckdb.DuckDBPyConnection, pcn_code: str, census) -> pd.DataFrame:
    """A PCN's whole team in an edition, by staff group and role as published: FTE employed and contracted, and
    the employed headcount; MHP roles first."""
    return con.execute("""
        SELECT staff_group, staff_role, coalesce(is_mhp, false) AS is_mhp,
               sum(fte) FILTER (WHERE employment = 'employed') AS employed_fte,
               sum(fte) FILTER (WHERE employment = 'contracted') AS contracted_fte,
               sum(fte) AS fte, count(DISTINCT person_id) FILTER (WHERE employment = 'employed') AS employed_headcount
        FROM pcn_workforce WHERE pcn_code = ? AND census = ?
        GROUP BY ALL ORDER BY is_mhp DESC, fte DESC, staff_role""", [pcn_code, pd.Timestamp(census).date()]).df()


# -- Export -------------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("pcn_code", "census", *FIGURES)


def export_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``phm-profile export mhp_in_post``: one row per PCN and edition as published (every PCN code the edition
    has, in or out of a mapping), census as YYYY-MM; MHP figures empty where the edition counts no MHPs."""
    if not _has(con, "pcn_mhp_in_post"):
        return pd.DataFrame(columns=list(EXPORT_COLUMNS))
    return con.execute(f"""
        SELECT pcn_code, strftime(census, '%Y-%m') AS census, {', '.join(f'round({c}, 4) AS {c}' for c in FIGURES[:-1])},
               mhp_headcount
        FROM pcn_mhp_in_post ORDER BY census, pcn_code""").df()


# -- Words ----------------------------------------------------------------------------------------------------------

def tiles(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The headline figures of ``frame`` (table: England or one ICB) as (label, value, note)."""
    known = frame[frame.status == RETURN]
    if known.empty:
        said = ("not counted: the edition counts no MHPs" if (frame.status == NOT_COUNTED).any()
                else "no PCN made a return")
        return [("MHP FTE in post", "not known", said)]
    with_mhp = int((known.mhp_fte > 0).sum())
    return [
        ("MHP FTE in post", f"{known.mhp_fte.sum():,.1f}", f"adult {known.mhp_fte_adult.sum():,.1f}, "
         f"CYP {known.mhp_fte_cyp.sum():,.1f}"),
        ("Contracted MHP FTE", f"{known.mhp_fte_contracted.sum():,.1f}",
         f"employed {known.mhp_fte_employed.sum():,.1f} ({int(known.mhp_headcount.sum()):,} people)"),
        ("PCNs with an MHP", f"{with_mhp:,}", f"of {len(known):,} with a return; {len(known) - with_mhp:,} with none"),
        ("No return", f"{int((frame.status == NO_RETURN).sum()):,}", "PCNs with no row in the edition"),
    ]


def sentences(frame: pd.DataFrame, edition: str, area: str, year: str) -> list[str]:
    """What the need-vs-in-post view shows, in words (``area``: 'England' or the ICB's name)."""
    known = frame[frame.status == RETURN]
    if known.empty:
        return [f"{edition}: MHPs are not known for {area} (no return, or the edition counts no MHPs)."]
    worst = known[known.quadrant == QUADRANTS[0]]
    none = no_mhp(known)
    out = [f"{len(worst):,} of {len(known):,} PCNs in {area} have higher need per 10,000 patients than England and "
           f"fewer MHP FTE per 10,000 than England ({edition}).",
           f"{len(none):,} PCNs made a return with no MHP in post" + (
               f"; the highest need among them: {', '.join(none.pcn_name.astype(str).head(3))}." if len(none) else ".")]
    short = known[known.gap_to_entitlement < -1e-9]
    base = workforce.base_entitlement(year)
    reference = (f" (a reference: caps on MHP numbers were removed in {workforce.CAPS_REMOVED_FROM})"
                 if year >= workforce.CAPS_REMOVED_FROM else "")
    out.append(f"{len(short):,} PCNs have less MHP FTE in post than the ARRS guide's entitlement for {year} ({base:g} "
               f"WTE, {2 * base:g} at {workforce.LARGE_PCN:,} patients or more){reference}.")
    return out


def in_post_when(source: str, period: str) -> str:
    """When the staffing in use counts a post as in post, for the workforce plan's caption."""
    if source.startswith(SOURCE):
        return "in post at the edition's census month"
    return f"in post on 31 March {int(period[:4]) + 1}"


def area_over_time(series: pd.DataFrame, area: str) -> pd.DataFrame:
    """over_time's rows summed for an area (England, an ICB) by edition, as the chart draws them (charts.in_post_over_time): the MHP
    FTE of the PCNs that made a return (NaN where the edition counts no MHPs), with how many made one."""
    rows = []
    for (census, label), part in series.groupby(["census", "label"], sort=True):
        counted = not (part.status == NOT_COUNTED).any()
        returned = part[part.status == RETURN]
        rows.append({"name": area, "pcn_code": "", "label": label, "status": RETURN if counted else NOT_COUNTED,
                     "status_words": (f"{len(returned):,} of {len(part):,} PCNs made a return" if counted
                                      else STATUS_WORDS[NOT_COUNTED]),
                     **{c: returned[c].sum() if counted else np.nan for c in FIGURES}})
    return pd.DataFrame(rows, columns=["name", "pcn_code", "label", "status", "status_words", *FIGURES])


def pcn_editions_view(series: pd.DataFrame, pcn_code: str) -> pd.DataFrame:
    """One PCN's MHPs in each edition, in words where not known."""
    part = series[series.pcn_code == pcn_code]
    return pd.DataFrame({
        "Edition": [f"{c:%B %Y}" for c in part.census],
        "MHP FTE in post": [f"{v:.2f}" if s == RETURN else STATUS_WORDS[s] for v, s in zip(part.mhp_fte, part.status)],
        "Contracted MHP FTE": [f"{v:.2f}" if s == RETURN else "–" for v, s in zip(part.mhp_fte_contracted, part.status)],
        "Employed MHP headcount": [f"{v:.0f}" if s == RETURN else "–" for v, s in zip(part.mhp_headcount, part.status)]})


def windows_view(windows: pd.DataFrame, pcn_codes: list[str]) -> pd.DataFrame:
    """When each PCN's first MHP started, as the editions tell it: between two census months where the edition
    before showed none, else 'by' its first edition with one."""
    part = windows[windows.pcn_code.isin(pcn_codes)]
    return pd.DataFrame({
        "PCN code": part.pcn_code,
        "First edition with an MHP": [f"{d:%B %Y}" for d in part.first_seen],
        "MHP started": [f"between {a:%B %Y} and {b:%B %Y} (a window)" if a == a and a is not pd.NaT
                        else f"by {b:%B %Y} (the edition before did not count MHPs, or the PCN made no return)"
                        for a, b in zip(part.none_at, part.first_seen)]})


def editions_view(editions: pd.DataFrame) -> pd.DataFrame:
    """The editions loaded, as the About view lists them."""
    return pd.DataFrame({"Edition": [edition_name(c) for c in editions.census], "Rows": editions.rows,
                         "PCNs with a return": editions.pcns,
                         "Counts MHPs": ["yes" if c else "no (not counted)" for c in editions.counts_mhps],
                         "MHP rows": editions.mhp_rows, "File": editions.source_file})
