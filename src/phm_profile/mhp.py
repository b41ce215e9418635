"""Mental Health Practitioners in post in every PCN, from NHS England's PCN Workforce (readers/pcn_workforce.py,
marts/pcn_mhp_in_post.sql), beside each PCN's ARRS entitlement and its need-based WTE (workforce.py).

Three states are kept apart everywhere: a PCN that made a return (its MHP FTE, 0 when it has none), a PCN with no
row in the edition ("no return": not known, never 0), and an edition that counts no MHPs at all (the publisher
tagged no MHP role in its early editions, such as September 2021 to September 2022: "not counted"). Staff FTE are not patient counts: suppression does not change them;
the need beside them is worked from released counts (queries.workforce_inputs' rule)."""

from __future__ import annotations

from dataclasses import dataclass

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
    "The collection does not mark which posts the ARRS reimburses: the PCN team is shown as published.",
)

#: A PCN's place on the need-vs-in-post scatter, against England's pooled rates.
QUADRANTS = ("Higher need, fewer MHPs", "Higher need, more MHPs", "Lower need, fewer MHPs", "Lower need, more MHPs")

#: The measures of need the scatter can put against MHPs in post (per 10,000 registered patients).
NEED_MEASURES = {"need_per_10k": "Need-based MHP WTE per 10,000 patients",
                 "smi_per_10k": "SMI register per 10,000 patients",
                 "depression_per_10k": "Depression register per 10,000 patients"}
#: Each measure's name in a sentence ("the highest ... per 10,000").
NEED_WORDS = {"need_per_10k": "need-based MHP WTE", "smi_per_10k": "SMI register",
              "depression_per_10k": "depression register"}


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


def caveats(editions: pd.DataFrame) -> tuple[str, ...]:
    """CAVEATS with what the editions loaded (editions) say of when MHPs were first counted: the editions with no
    role tagged as an MHP count none (their link workers and wellbeing practitioners are other staff)."""
    none = editions[~editions.counts_mhps.astype(bool)].sort_values("census")
    counted = editions[editions.counts_mhps.astype(bool)].sort_values("census")
    if none.empty:
        return CAVEATS
    names = ", ".join(edition_name(c) for c in none.census)
    first = (f"; the first that does is {edition_name(counted.census.iloc[0])}" if len(counted) else "")
    return (*CAVEATS, f"Editions loaded that tag no Mental Health Practitioner role, so count no MHPs (not 0): {names}"
            f"{first}. Their link workers and wellbeing practitioners are other staff.")


def edition_name(census) -> str:
    return pd.Timestamp(census).strftime("%B %Y")


@releasable
def in_post(con: duckdb.DuckDBPyConnection, period: str, census, suppress: bool) -> pd.DataFrame:
    """Every PCN of England in ``period`` (its need inputs, released when ``suppress``) with the PCN Workforce of
    ``census`` on today's PCNs (marts/pcn_mhp_today.sql: a PCN renamed or merged since counts its predecessors'
    rows, named in ``predecessors``): its MHP figures (FIGURES), other_mh_fte, team_fte and a status (RETURN,
    NO_RETURN, NOT_COUNTED)."""
    frame = con.execute("""
        WITH names AS (SELECT icb_code, any_value(icb_name) AS icb_name FROM practice_pcn WHERE period = ?
                       GROUP BY icb_code),
        edition AS (SELECT * FROM workforce_editions WHERE census = ?)
        SELECT n.*, names.icb_name, w.mhp_fte, w.mhp_fte_adult, w.mhp_fte_cyp, w.mhp_fte_employed,
               w.mhp_fte_contracted, w.mhp_headcount, w.other_mh_fte, w.team_fte,
               coalesce(array_to_string(w.predecessors, ', '), '') AS predecessors,
               CASE WHEN NOT (SELECT any_value(counts_mhps) FROM edition) THEN 'not counted'
                    WHEN w.pcn_code IS NULL THEN 'no return' ELSE 'return' END AS status
        FROM pcn_need_inputs n LEFT JOIN names USING (icb_code)
        LEFT JOIN pcn_mhp_today w ON w.pcn_code = n.pcn_code AND w.census = ?
        WHERE n.period = ? ORDER BY n.icb_code, n.pcn_code""",
                        [period, pd.Timestamp(census).date(), pd.Timestamp(census).date(), period]).df()
    frame = frame.drop(columns=["period"])
    return suppression.protect(frame) if suppress else frame


def latest_counted(con: duckdb.DuckDBPyConnection):
    """The census of the latest edition that counts MHPs, or None."""
    counted = editions(con)
    counted = counted[counted.counts_mhps]
    return None if counted.empty else counted.census.iloc[0]


def no_return(con: duckdb.DuckDBPyConnection, period: str, census=None) -> list[str]:
    """The PCNs of ``period`` with no row in the edition of ``census`` (default: the latest that counts MHPs), on
    today's PCNs: their MHPs are not known (the MHP pages, using that edition as their staffing, say so rather
    than show 0). Empty without such an edition."""
    census = latest_counted(con) if census is None else census
    if census is None:
        return []
    return [r[0] for r in con.execute("""
        SELECT pcn_code FROM pcn_need_inputs WHERE period = ? AND pcn_code NOT IN
            (SELECT pcn_code FROM pcn_mhp_today WHERE census = ?) ORDER BY pcn_code""",
        [period, pd.Timestamp(census).date()]).fetchall()]


#: Why a PCN code of an edition is not one of the year's PCNs (workforce_pcn_match.match).
UNMATCHED = {"same code": "today's PCN, not in the {period} mapping (formed since)",
             "renamed or merged": "merged or renamed since into {today}, not in the {period} mapping",
             "split": "split since: its practices are now in {today}; staff cannot be shared out",
             "closed": "closed since: its practices are in no PCN today",
             "in no mapping": "in no mapping loaded"}


def not_in_mapping(con: duckdb.DuckDBPyConnection, period: str, census) -> pd.DataFrame:
    """The PCN codes of the edition that are none of the PCNs of ``period`` after matching them to today's PCNs
    (workforce_pcn_match), with why: kept under their codes (their staff are in the export and England's totals),
    with no list size or need known."""
    columns = ["PCN code", "PCN", "ICB (in the file)", "Why not shown", "MHP FTE", "Whole team FTE"]
    if not _has(con, "workforce_pcn_match"):
        return pd.DataFrame(columns=columns)
    frame = con.execute("""
        SELECT p.pcn_code, p.pcn_name, p.icb_name, m.match, array_to_string(m.today_pcns, ', ') AS today,
               round(p.mhp_fte, 2) AS mhp_fte, round(p.team_fte, 2) AS team_fte
        FROM pcn_mhp_in_post p JOIN workforce_pcn_match m USING (census, pcn_code)
        WHERE p.census = ? AND (m.today_pcn_code IS NULL OR m.today_pcn_code NOT IN
                                (SELECT pcn_code FROM pcn_need_inputs WHERE period = ?))
        ORDER BY p.pcn_code""", [pd.Timestamp(census).date(), period]).df()
    why = [UNMATCHED[m].format(period=period, today=t or "none") for m, t in zip(frame.match, frame.today)]
    return pd.DataFrame(dict(zip(columns, [frame.pcn_code, frame.pcn_name, frame.icb_name, why, frame.mhp_fte,
                                            frame.team_fte])), columns=columns)


def england_totals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """England's MHP figures in every edition (from the publisher's rows, every PCN code as published, in a mapping
    or not): census, pcns (made a return), pcns_with_mhp and the FIGURES summed (mhp_headcount: distinct people
    across the edition); NaN where the edition counts no MHPs."""
    if not _has(con, "pcn_mhp_in_post"):
        return pd.DataFrame(columns=["census", "pcns", "pcns_with_mhp", *FIGURES])
    frame = con.execute(f"""
        WITH heads AS (SELECT census, count(DISTINCT person_id) FILTER (WHERE is_mhp AND employment = 'employed')
                                      AS people FROM pcn_workforce GROUP BY census)
        SELECT census, count(*) AS pcns, count(*) FILTER (WHERE mhp_fte > 0) AS pcns_with_mhp,
               {', '.join(f'sum({c}) AS {c}' for c in FIGURES[:-1])},
               CASE WHEN bool_and(mhp_fte IS NOT NULL) THEN any_value(h.people) END AS mhp_headcount
        FROM pcn_mhp_in_post JOIN heads h USING (census) GROUP BY census ORDER BY census""").df()
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


def no_mhp(frame: pd.DataFrame, measure: str = "need_per_10k") -> pd.DataFrame:
    """The PCNs that made a return with no MHP in post, highest need by ``measure`` (NEED_MEASURES) first."""
    none = frame[(frame.status == RETURN) & (frame.mhp_fte == 0)]
    return none.sort_values([measure, "pcn_code"], ascending=[False, True], na_position="last")


def no_mhp_view(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """no_mhp as the table beside the scatter shows it, in its order, with the chosen measure of need."""
    none = no_mhp(frame, measure)
    out = table_view(none, ordered=False)[["ICB", "PCN code", "PCN", "List size"]]
    out[NEED_MEASURES[measure]] = none[measure].astype(float).round(2).to_numpy()
    out[TABLE_COLUMNS["entitlement_wte"][0]] = none.entitlement_wte.astype(float).round(1).to_numpy()
    return out


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


def table_view(frame: pd.DataFrame, edition: str | None = None, ordered: bool = True) -> pd.DataFrame:
    """The in-post table as shown and exported: the status in words, gaps largest shortfall first (``frame``'s own
    order when not ``ordered``), rounded; with the edition named in a last column when given (a CSV says which
    month it is)."""
    if ordered:
        frame = frame.sort_values(["gap_to_need", "pcn_code"], na_position="last")
    out = frame[list(TABLE_COLUMNS)].copy()
    out["status"] = out.status.map(STATUS_WORDS)
    for column, (_, fmt) in TABLE_COLUMNS.items():
        if fmt and fmt.endswith("f"):
            out[column] = out[column].astype(float).round(int(fmt[2]))
    out = out.rename(columns={k: v[0] for k, v in TABLE_COLUMNS.items()})
    if edition is not None:
        out[EDITION_COLUMN] = edition
    return out


EDITION_COLUMN = "PCN Workforce edition"


# -- Over time ----------------------------------------------------------------------------------------------------

def over_time(con: duckdb.DuckDBPyConnection, pcn_codes: list[str]) -> pd.DataFrame:
    """Each PCN of ``pcn_codes`` (today's codes) in every edition, its predecessors' rows counted (pcn_mhp_today):
    census, label, pcn_code, status and its MHP figures (NaN where not known)."""
    if not _has(con, "pcn_mhp_today") or not pcn_codes:
        return pd.DataFrame(columns=["census", "label", "pcn_code", "status", *FIGURES])
    frame = con.execute(f"""
        SELECT e.census, e.label, c.pcn_code,
               CASE WHEN NOT e.counts_mhps THEN 'not counted' WHEN w.pcn_code IS NULL THEN 'no return'
                    ELSE 'return' END AS status, {', '.join(f'w.{c}' for c in FIGURES)}
        FROM workforce_editions e CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS pcn_code) c
        LEFT JOIN pcn_mhp_today w ON w.census = e.census AND w.pcn_code = c.pcn_code
        ORDER BY c.pcn_code, e.census""", [list(pcn_codes)]).df()
    frame["census"] = pd.to_datetime(frame.census)
    return frame


def start_windows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each PCN's (today's codes) first edition with an MHP of each role in post (``first_seen``; role 'adult' or
    'cyp') and, where the edition just before it counted MHPs and the PCN returned none of that role, that edition
    (``none_at``): its first MHP of the role started between the two census months. Otherwise none_at is NaT: it
    started by first_seen, when is not known."""
    if not _has(con, "pcn_mhp_today"):
        return pd.DataFrame(columns=["pcn_code", "role", "first_seen", "none_at"])
    frame = con.execute("""
        WITH ordered AS (SELECT census, lag(census) OVER (ORDER BY census) AS before FROM workforce_editions),
        roles AS (SELECT census, pcn_code, 'adult' AS role, mhp_fte_adult AS fte FROM pcn_mhp_today
                  UNION ALL SELECT census, pcn_code, 'cyp', mhp_fte_cyp FROM pcn_mhp_today),
        first AS (SELECT pcn_code, role, min(census) AS first_seen FROM roles WHERE fte > 0 GROUP BY ALL)
        SELECT f.pcn_code, f.role, f.first_seen, CASE WHEN r.fte = 0 THEN o.before END AS none_at
        FROM first f JOIN ordered o ON o.census = f.first_seen
        LEFT JOIN roles r ON r.census = o.before AND r.pcn_code = f.pcn_code AND r.role = f.role
        ORDER BY f.pcn_code, f.role""").df()
    for column in ("first_seen", "none_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def first_seen(windows: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each PCN's first edition with an MHP of either role (start_windows): by then it has one, whatever a staffing
    file says, so it is no comparison PCN for months after it (impact.difference_in_differences)."""
    return {code: pd.Timestamp(day) for code, day in windows.groupby("pcn_code").first_seen.min().items()}


def staffing_edition(con: duckdb.DuckDBPyConnection, period: str):
    """The edition (census) that gives the MHP pages who is in post in ``period`` when no staffing file says so:
    for the latest year of the profile (the latest with QOF registers, as the pages offer), the latest edition that counts MHPs (today's staffing, as the plan starts from
    today); for an earlier year, the latest such edition by the year's end (31 March), else the first after it.
    None without an edition that counts MHPs."""
    counted = editions(con)
    counted = counted[counted.counts_mhps].sort_values("census")
    if counted.empty:
        return None
    latest_year = con.execute("SELECT max(period) FROM pcn_profile WHERE indicator LIKE 'prev_%'").fetchall()[0][0]
    if latest_year is None or period >= latest_year:
        return counted.census.iloc[-1]
    by_end = counted[counted.census <= pd.Timestamp(f"{int(period[:4]) + 1}-03-31")]
    return by_end.census.iloc[-1] if len(by_end) else counted.census.iloc[0]


STAFFING_COLUMNS = ("pcn_code", "role", "band", "wte", "start_date", "end_date", "window_from", "as_at")


def _empty_staffing() -> pd.DataFrame:
    return pd.DataFrame({"pcn_code": pd.Series(dtype=str), "role": pd.Series(dtype=str),
                         "band": pd.Series(dtype=object), "wte": pd.Series(dtype=float),
                         **{c: pd.Series(dtype="datetime64[us]") for c in STAFFING_COLUMNS[4:]}})


def staffing(con: duckdb.DuckDBPyConnection, census) -> pd.DataFrame:
    """Who is in post in the edition of ``census`` (today's PCNs), as a staffing frame (workforce.read_staffing's
    columns: pcn_code, role, band, wte, start_date, end_date) plus ``window_from`` and ``as_at`` (the census: the
    post is in post then, whatever the year shown): one row per PCN and role (adult, CYP), no band (the collection
    has none). Where the edition before the PCN's first MHP of the role counted MHPs and showed none, start_date is
    that first census and window_from the census before (it started in between); both empty otherwise (in post,
    start not known). Rows whose role is neither adult nor CYP are left out (in_post counts them in the MHP FTE)."""
    if census is None:
        return _empty_staffing()
    frame = con.execute("""
        SELECT pcn_code, role, wte FROM (
            SELECT pcn_code, 'adult' AS role, mhp_fte_adult AS wte FROM pcn_mhp_today WHERE census = ?
            UNION ALL SELECT pcn_code, 'cyp', mhp_fte_cyp FROM pcn_mhp_today WHERE census = ?)
        WHERE wte > 0 ORDER BY pcn_code, role""", [pd.Timestamp(census).date()] * 2).df()
    if frame.empty:
        return _empty_staffing()
    windows = start_windows(con).set_index(["pcn_code", "role"])
    keys = pd.MultiIndex.from_frame(frame[["pcn_code", "role"]])
    opened = windows.none_at.reindex(keys).to_numpy()
    frame["band"] = None
    frame["start_date"] = pd.Series(np.where(pd.notna(opened), windows.first_seen.reindex(keys).to_numpy(), None),
                                    index=frame.index).astype("datetime64[us]")
    frame["end_date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    frame["window_from"] = pd.Series(opened, index=frame.index).astype("datetime64[us]")
    frame["as_at"] = pd.Series(pd.Timestamp(census), index=frame.index).astype("datetime64[us]")
    return frame[list(STAFFING_COLUMNS)]


@dataclass(frozen=True)
class Staffing:
    """The staffing every MHP page uses (compose_staffing): the posts (STAFFING_COLUMNS), where they are from in
    words, when a post counts as in post, and the PCNs whose MHPs it does not know (no return in the edition used,
    and no row of a staffing file)."""
    frame: pd.DataFrame
    source: str
    when: str
    unknown: frozenset = frozenset()
    census: pd.Timestamp | None = None


def compose_staffing(local: pd.DataFrame, published: pd.DataFrame, census, period: str,
                     no_return_pcns=()) -> Staffing:
    """A staffing file's posts (``local``: bands, start dates) for the PCNs it lists, the PCN Workforce's
    (``published``, the edition of ``census``: staffing) for every other PCN: the file takes precedence only where
    it speaks."""
    year_end = f"31 March {int(period[:4]) + 1}"
    local = local.reindex(columns=list(STAFFING_COLUMNS))
    if census is None:
        if len(local):
            return Staffing(local, "the staffing file loaded with the data", f"in post on {year_end}")
        return Staffing(local, "no staffing loaded (no staffing file, no PCN Workforce edition counting MHPs)",
                        f"in post on {year_end}")
    listed = set(local.pcn_code)
    rest = published[~published.pcn_code.isin(listed)]
    frame = pd.concat([local.astype(rest.dtypes.to_dict()), rest], ignore_index=True) if len(local) else rest
    edition = f"{SOURCE}, {edition_name(census)}"
    if listed:
        source = (f"the staffing file loaded with the data for its {len(listed):,} PCN{'s' if len(listed) > 1 else ''}, "
                  f"{edition} for every other PCN")
        when = f"in post on {year_end} (the staffing file) or at the {edition_name(census)} census (the PCN Workforce)"
    else:
        source = f"{edition} (no bands; start dates only as a window between editions)"
        when = f"in post at the {edition_name(census)} census"
    return Staffing(frame.reset_index(drop=True), source, when, frozenset(set(no_return_pcns) - listed),
                    pd.Timestamp(census))


def _posts(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=list(STAFFING_COLUMNS[:6])).copy()
    out["band"] = out.band.astype(object).where(out.band.notna(), None).map(lambda b: None if b is None else str(b))
    out["wte"] = out.wte.astype(float).round(6)
    for column in ("start_date", "end_date"):
        out[column] = pd.to_datetime(out[column]).astype("datetime64[us]")
    return out.sort_values(["pcn_code", "role", "start_date", "wte"], na_position="first").reset_index(drop=True)


def same_posts(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two staffing frames hold the same posts (order, a missing band written None or NaN, and the
    PCN Workforce's window columns aside)."""
    return _posts(a).equals(_posts(b))


def with_published_dates(edited: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """``edited`` (a staffing table checked after editing) with the PCN Workforce's window_from and as_at put back
    on the rows that are still the edition's post of their PCN and role (same start): an edit of the WTE keeps the
    window its MHP started in; a row added or re-dated is the user's own."""
    keys = ["pcn_code", "role", "start_date"]
    dates = published.reindex(columns=list(STAFFING_COLUMNS))
    dates = dates[dates.as_at.notna()][keys + ["window_from", "as_at"]].drop_duplicates(keys)
    out = edited.reindex(columns=list(STAFFING_COLUMNS[:6])).copy()
    out["start_date"] = pd.to_datetime(out.start_date).astype("datetime64[us]")
    dates["start_date"] = pd.to_datetime(dates.start_date).astype("datetime64[us]")
    return out.merge(dates, on=keys, how="left")[list(STAFFING_COLUMNS)]


def team(con: duckdb.DuckDBPyConnection, pcn_code: str, census) -> pd.DataFrame:
    """A PCN's whole team in an edition (today's code: its predecessors' rows too), by staff group and role as
    published: FTE employed and contracted, and the employed headcount; MHP roles first."""
    return con.execute("""
        SELECT staff_group, staff_role, coalesce(is_mhp, false) AS is_mhp,
               sum(fte) FILTER (WHERE employment = 'employed') AS employed_fte,
               sum(fte) FILTER (WHERE employment = 'contracted') AS contracted_fte,
               sum(fte) AS fte, count(DISTINCT person_id) FILTER (WHERE employment = 'employed') AS employed_headcount
        FROM pcn_workforce w JOIN workforce_pcn_match m USING (census, pcn_code)
        WHERE coalesce(m.today_pcn_code, m.pcn_code) = ? AND census = ?
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

def headline(con: duckdb.DuckDBPyConnection, census, pcn_codes: list[str] | None = None) -> dict:
    """The MHP figures (FIGURES) of an edition for England (``pcn_codes`` None: every PCN code as published, in a
    mapping or not) or for today's PCNs ``pcn_codes`` (an ICB), with ``pcns`` (codes with a return) and
    ``pcns_with_mhp``; the headcount is of distinct people (a person in two PCNs is one). Empty when the edition
    counts no MHPs."""
    day = pd.Timestamp(census).date()
    if not _has(con, "pcn_mhp_today"):
        return {}
    if pcn_codes is None:
        rows, codes, args = "pcn_mhp_in_post WHERE census = ?", "TRUE", [day]
    else:
        rows, args = "pcn_mhp_today WHERE census = ? AND list_contains(?::VARCHAR[], pcn_code)", [day, list(pcn_codes)]
        codes = "list_contains(?::VARCHAR[], coalesce(m.today_pcn_code, ''))"
    out = con.execute(f"""
        SELECT count(*) AS pcns, count(*) FILTER (WHERE mhp_fte > 0) AS pcns_with_mhp,
               {', '.join(f'sum({c}) AS {c}' for c in FIGURES[:-1])}, bool_and(mhp_fte IS NOT NULL) AS counted,
               (SELECT count(DISTINCT w.person_id) FROM pcn_workforce w JOIN workforce_pcn_match m USING (census, pcn_code)
                WHERE w.census = ? AND w.is_mhp AND w.employment = 'employed' AND {codes}) AS mhp_headcount
        FROM {rows}""", args + [day] + ([] if pcn_codes is None else [list(pcn_codes)])).df().iloc[0].to_dict()
    return out if out["counted"] else {}


def tiles(frame: pd.DataFrame, head: dict | None = None) -> list[tuple[str, str, str]]:
    """The headline figures of ``frame`` (table: England or one ICB) as (label, value, note); the MHP figures from
    ``head`` (headline: for England every PCN code of the edition, people counted once) where given."""
    known = frame[frame.status == RETURN]
    if known.empty or head == {}:
        said = ("not counted: the edition counts no MHPs" if (frame.status == NOT_COUNTED).any()
                else "no PCN made a return")
        return [("MHP FTE in post", "not known", said)]
    head = head or {**{c: known[c].sum() for c in FIGURES}, "pcns": len(known),
                    "pcns_with_mhp": int((known.mhp_fte > 0).sum())}
    pcns, with_mhp = int(head["pcns"]), int(head["pcns_with_mhp"])
    outside = pcns - len(known)
    return [
        ("MHP FTE in post", f"{head['mhp_fte']:,.1f}", f"adult {head['mhp_fte_adult']:,.1f}, "
         f"CYP {head['mhp_fte_cyp']:,.1f}"),
        ("Contracted MHP FTE", f"{head['mhp_fte_contracted']:,.1f}",
         f"employed {head['mhp_fte_employed']:,.1f} ({int(head['mhp_headcount']):,} people); trust staff may also be "
         "counted in the trust's own figures"),
        ("PCNs with an MHP", f"{with_mhp:,}", f"of {pcns:,} with a return; {pcns - with_mhp:,} with none"
         + (f" ({outside:,} PCN code{'s' if outside != 1 else ''} of the edition in no mapping of the year counted)"
            if outside > 0 else "")),
        ("No return", f"{int((frame.status == NO_RETURN).sum()):,}", "PCNs with no row in the edition: not known"),
    ]


def sentences(frame: pd.DataFrame, edition: str, area: str, year: str,
              measure: str = "need_per_10k") -> list[str]:
    """What the need-vs-in-post view shows, in words (``area``: 'England' or the ICB's name), need by ``measure``."""
    known = frame[frame.status == RETURN]
    if known.empty:
        return [f"{edition}: MHPs are not known for {area} (no return, or the edition counts no MHPs)."]
    worst = known[known.quadrant == QUADRANTS[0]]
    none = no_mhp(known, measure)
    out = [f"{len(worst):,} of {len(known):,} PCNs in {area} have higher need per 10,000 patients than England and "
           f"fewer MHP FTE per 10,000 than England ({edition}).",
           f"{len(none):,} PCNs made a return with no MHP in post" + (
               f"; the highest {NEED_WORDS[measure]} per 10,000 among them: "
               f"{', '.join(none.pcn_name.astype(str).head(3))}." if len(none) else ".")]
    short = known[known.gap_to_entitlement < -1e-9]
    base = workforce.base_entitlement(year)
    reference = (f" (a reference: caps on MHP numbers were removed in {workforce.CAPS_REMOVED_FROM})"
                 if year >= workforce.CAPS_REMOVED_FROM else "")
    out.append(f"{len(short):,} PCNs have less MHP FTE in post than the ARRS guide's entitlement for {year} ({base:g} "
               f"WTE, {2 * base:g} at {workforce.LARGE_PCN:,} patients or more){reference}.")
    return out


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
    """When each PCN's first MHP of each role started, as the editions tell it: between two census months where the edition
    before showed none, else 'by' its first edition with one."""
    part = windows[windows.pcn_code.isin(pcn_codes)]
    return pd.DataFrame({
        "PCN code": part.pcn_code, "Role": part.role.map({"adult": "Adult", "cyp": "CYP"}),
        "First edition with an MHP of the role": [f"{d:%B %Y}" for d in part.first_seen],
        "Started": [f"between {a:%B %Y} and {b:%B %Y} (a window)" if pd.notna(a)
                        else f"by {b:%B %Y} (the edition before did not count MHPs, or the PCN made no return; or it is the first edition loaded)"
                        for a, b in zip(part.none_at, part.first_seen)]})


def editions_view(editions: pd.DataFrame) -> pd.DataFrame:
    """The editions loaded, as the About view lists them."""
    return pd.DataFrame({"Edition": [edition_name(c) for c in editions.census], "Rows": editions.rows,
                         "PCNs with a return": editions.pcns,
                         "Counts MHPs": ["yes" if c else "no (not counted)" for c in editions.counts_mhps],
                         "MHP rows": editions.mhp_rows, "File": editions.source_file})
