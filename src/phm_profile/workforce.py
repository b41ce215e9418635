"""Mental Health Practitioners through the ARRS: entitlement, costs, need-based WTE and an ICB pool shared
across PCNs. Pure functions of the profile's numbers and of the assumptions, so every figure can be
recomputed live when an assumption moves.

Rules: PCN Network, "Recruiting mental health practitioners through the ARRS" (2021) and the Network Contract
DES; later changes and money in data/money/ (each row with its published source). Each default below says where
it comes from and every one can be changed on screen.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from functools import cache

import numpy as np
import pandas as pd

from .money import Money, money_for
from .readers import STAFFING_COLUMNS
from .readers.base import Issue

LARGE_PCN = 100_000  #: PCNs of this many patients or more have double entitlement
ROLES = ("adult", "cyp")
ROLE_NAMES = {"adult": "Adult and older adults' MHP", "cyp": "Children and young people's MHP"}
BANDS = ("4", "5", "6", "7", "8a")  #: MHP grades: Agenda for Change bands 4 to 8a (NHS England; FACTS.md)
PCN_SHARE = 0.5  #: the PCN pays 50% of salary + employer NI and pension (reimbursable); the provider the rest


# -- Entitlement -----------------------------------------------------------------------------------------------

def base_entitlement(year: str) -> float:
    """WTE per PCN under 100,000 patients: 1 in 2021/22, 2 in 2022/23, 3 from 2023/24; none before 2021/22."""
    start = int(year[:4])
    if start < 2021:
        return 0.0
    return float(min(start - 2020, 3))


def entitlement(list_size: float, year: str) -> float:
    """The PCN's MHP entitlement in WTE for a financial year ('2023-24'), doubled at 100,000 patients or more."""
    return base_entitlement(year) * (2 if list_size >= LARGE_PCN else 1)


def roles_entitled(list_size: float, year: str) -> dict[str, int]:
    """Practitioners by role: one adult and older adults' and one children and young people's per PCN
    (two each for a PCN of 100,000 or more), from 2021/22."""
    n = (2 if list_size >= LARGE_PCN else 1) if base_entitlement(year) else 0
    return {"adult": n, "cyp": n}


# -- Who pays ---------------------------------------------------------------------------------------------------

#: From 2026/27 (provisional): up to 100% reimbursement for MHPs beyond the first per band, where a written
#: agreement is in place (FACTS.md: SSLMCs; haresign.net).
WRITTEN_AGREEMENT_FROM = "2026-27"
#: Caps on MHP numbers were removed in 2023/24: the guide's numbers stay as a reference (FACTS.md).
CAPS_REMOVED_FROM = "2023-24"
#: From 2024/25 the constraint is the PCN's ARRS envelope (weighted population x GBP a head).
ENVELOPE_FROM = "2024-25"


@dataclass(frozen=True)
class CostSplit:
    wte: float
    employment_cost: float     #: gross: salary + employer NI + pension
    provider_share: float      #: the mental-health provider's part (50%; none for further MHPs under agreement)
    pcn_contribution: float    #: what the PCN pays the provider (50%; 100% for further MHPs under agreement)
    arrs_reimbursement: float  #: what the ARRS pays back to the PCN, up to the cap
    net_pcn_cost: float        #: PCN contribution not reimbursed


def cost_split(wte: float, cost_per_wte: float, cap_per_wte: float, full_wte: float = 0.0) -> CostSplit:
    """Who pays for ``wte`` of an MHP costing ``cost_per_wte`` a year, with the ARRS maximum ``cap_per_wte``: the
    PCN pays 50% of the cost and claims it back up to 50% of the cap; the provider pays the other 50%. Of them,
    ``full_wte`` (further MHPs under a written agreement, from 2026/27) are paid 100% by the PCN and reimbursed up
    to 100% of the cap."""
    full = min(max(full_wte, 0.0), wte)
    shared = wte - full
    cost = cost_per_wte * wte
    pcn = PCN_SHARE * cost_per_wte * shared + cost_per_wte * full
    reimbursed = (min(PCN_SHARE * cost_per_wte, PCN_SHARE * cap_per_wte) * shared
                  + min(cost_per_wte, cap_per_wte) * full)
    return CostSplit(wte, cost, cost - pcn, pcn, reimbursed, pcn - reimbursed)


# -- Need -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assumptions:
    """Every assumption of the need model, with its default and why."""

    smi_share: float = 0.20
    """Share of the SMI register an MHP sees in a year (people with SMI not under secondary care). An assumption:
    no published norm exists (FACTS.md)."""
    depression_share: float = 0.03
    """Share of the depression register an MHP sees in a year (complex or sub-threshold for specialist care). An
    assumption: no published norm exists."""
    unrecorded_cmd_share: float = 0.01
    """Share of expected-but-unrecorded common mental disorders who present to an MHP in a year. An assumption."""
    rejected_referral_share: float = 0.75
    """Share of rejected CMHT referrals an MHP picks up (29% of GP referrals were rejected in the Leeds case, seed
    003). An assumption."""
    long_wait_share: float = 0.25
    """Share of people waiting over 6 weeks for Talking Therapies who need an MHP meanwhile. An assumption."""
    cyp_share: float = 0.01
    """Share of registered under-18s an MHP for children and young people sees in a year. An assumption."""
    deprivation_uplift: float = 0.5
    """Extra demand per unit of relative deprivation: demand x (1 + uplift x (IMD score / England's - 1)). An
    assumption."""
    appointments_per_wte: float = 1_290.0
    """Appointments one WTE gives in a year: about 1,290 45-minute appointments a WTE (associate psychological
    practitioners, Lord et al. 2024, FACTS.md; a practice mental-health nurse gives about 13 a day, Pulse)."""
    contacts_per_patient: float = 4.0
    """Appointments per patient seen (assessment and follow-ups). An assumption."""

    @classmethod
    @cache
    def descriptions(cls) -> dict[str, str]:
        """Each assumption's documentation (shown beside its control)."""
        import ast
        import inspect

        tree = ast.parse(inspect.getsource(cls))
        body = tree.body[0].body
        out = {}
        for node, following in zip(body, body[1:]):
            if isinstance(node, ast.AnnAssign) and isinstance(following, ast.Expr):
                out[node.target.id] = following.value.value
        return out

    def replace(self, **changes) -> Assumptions:
        return Assumptions(**{**asdict(self), **changes})


#: Assumptions that divide (a zero would make capacity infinite): the least each may be set to.
DIVISOR_MINIMUMS = {"contacts_per_patient": 1.0}

#: How each assumption is shown: its label with the unit, and the factor from the stored value to the shown one
#: (shares are stored as 0-1 and shown in %).
ASSUMPTION_LABELS = {
    "smi_share": ("SMI register seen by an MHP a year (%)", 100), "depression_share": ("Depression register seen (%)", 100),
    "unrecorded_cmd_share": ("Unrecorded common mental disorders seen (%)", 100),
    "rejected_referral_share": ("Rejected CMHT referrals picked up (%)", 100),
    "long_wait_share": ("Talking Therapies waits over 6 weeks seen (%)", 100),
    "cyp_share": ("Under-18s seen by the CYP MHP (%)", 100),
    "deprivation_uplift": ("Deprivation uplift (x relative IMD)", 1),
    "appointments_per_wte": ("Appointments per WTE a year", 1),
    "contacts_per_patient": ("Appointments per patient seen", 1),
}


def patients_per_wte(a: Assumptions) -> float:
    """Patients one WTE can see in a year: appointments a WTE gives over appointments per patient."""
    return a.appointments_per_wte / max(a.contacts_per_patient, DIVISOR_MINIMUMS["contacts_per_patient"])


NEED_INPUTS = ("list_size", "smi_register", "depression_register", "expected_cmd", "cmht_rejected",
               "tt_long_waits", "under_18", "imd_score", "england_imd_score")


def need(inputs: pd.DataFrame, a: Assumptions = Assumptions()) -> pd.DataFrame:
    """Patients needing an MHP a year and the WTE that needs, per PCN (one row each in ``inputs``, columns
    NEED_INPUTS; missing service signals count as none). Adds adult_demand, cyp_demand, adult_wte, cyp_wte,
    need_wte."""
    x = inputs.copy()
    value = {c: x[c].astype(float).fillna(0.0) for c in NEED_INPUTS if c not in ("imd_score", "england_imd_score")}
    unrecorded = (value["expected_cmd"] - value["depression_register"]).clip(lower=0)
    adult = (a.smi_share * value["smi_register"] + a.depression_share * value["depression_register"]
             + a.unrecorded_cmd_share * unrecorded + a.rejected_referral_share * value["cmht_rejected"]
             + a.long_wait_share * value["tt_long_waits"])
    relative = (x["imd_score"].astype(float) / x["england_imd_score"].astype(float)).fillna(1.0)
    uplift = (1 + a.deprivation_uplift * (relative - 1)).clip(lower=0)
    capacity = patients_per_wte(a)
    x["adult_demand"] = adult * uplift
    x["cyp_demand"] = a.cyp_share * value["under_18"] * uplift
    x["adult_wte"] = x["adult_demand"] / capacity
    x["cyp_wte"] = x["cyp_demand"] / capacity
    x["need_wte"] = x["adult_wte"] + x["cyp_wte"]
    return x


# -- A PCN's plan ----------------------------------------------------------------------------------------------

def round_up(wte: float, step: float = 0.5) -> float:
    return math.ceil(round(wte / step, 9)) * step


def year_rule(year: str) -> str:
    """What limits the MHPs a PCN can have reimbursed in ``year``, in words."""
    if year < CAPS_REMOVED_FROM:
        return "entitlement (the guide's WTE)"
    if year < ENVELOPE_FROM:
        return "no cap on numbers (the guide's WTE as a reference)"
    return "the PCN's ARRS envelope"


def workforce_plan(inputs: pd.Series, years: list[str], current: dict[str, float], bands: dict[str, str],
                   money: Money | None = None, a: Assumptions = Assumptions(), point: str = "middle",
                   weighted_population: float | None = None, written_agreement: bool = False,
                   overrides: dict | None = None, step: float = 0.5) -> pd.DataFrame:
    """The suggested plan for one PCN, per year and role: the year's rule, entitlement (the guide's WTE, a
    reference once caps on numbers went in 2023/24), need, current and suggested WTE (need rounded up to ``step``,
    at least the current staffing; up to the entitlement before 2023/24), posts, band, the money per WTE with its
    source, the whole cost split and, from 2024/25, the share of the PCN's ARRS envelope it takes. ``overrides``:
    {(year, band, "cost" or "cap"): GBP} typed by the user."""
    money = money or money_for()
    overrides = overrides or {}
    needed = need(pd.DataFrame([inputs]), a).iloc[0]
    population = float(weighted_population or inputs["list_size"])
    rows = []
    for year in years:
        total_entitled = entitlement(inputs["list_size"], year)
        roles = roles_entitled(inputs["list_size"], year)
        head = money.per_head(year)
        envelope = head.value * population if head is not None else None
        for role in ROLES:
            need_wte = float(needed[f"{role}_wte"])
            role_entitled = total_entitled * roles[role] / max(sum(roles.values()), 1)
            now = float(current.get(role, 0.0))
            wanted = round_up(need_wte, step)
            suggested = max(min(wanted, role_entitled) if year < CAPS_REMOVED_FROM else wanted, now)
            band = str(bands.get(role, "7"))
            cost, cap = money.employment_cost(year, band, point), money.annual_cap(year, band)
            cost_value = overrides.get((year, band, "cost"), cost.value)
            cap_value = overrides.get((year, band, "cap"), cap.value)
            edited = (year, band, "cost") in overrides or (year, band, "cap") in overrides
            full = max(suggested - 1.0, 0.0) if written_agreement and year >= WRITTEN_AGREEMENT_FROM else 0.0
            split = cost_split(suggested, cost_value, cap_value, full)
            rows.append({
                "year": year, "rule": year_rule(year), "role": ROLE_NAMES[role], "band": band,
                "entitlement_wte": role_entitled, "need_wte": need_wte, "current_wte": now,
                "suggested_wte": suggested, "posts": math.ceil(round(suggested, 9)),
                "unmet_need_wte": max(need_wte - suggested, 0.0),
                "cost_per_wte": cost_value, "cap_per_wte": cap_value,
                "employment_cost": split.employment_cost, "provider_share": split.provider_share,
                "pcn_contribution": split.pcn_contribution, "arrs_reimbursement": split.arrs_reimbursement,
                "net_pcn_cost": split.net_pcn_cost,
                "arrs_envelope": envelope, "envelope_share": split.arrs_reimbursement / envelope if envelope else None,
                "money": "edited on screen" if edited else
                         "published" if cost.published and cap.published else "assumption (derived)",
                "envelope_money": head.status if head is not None else None,
                "money_source": f"cost: {cost.source}; cap: {cap.source}"
                                + (f"; envelope: {head.value:.3f} GBP a head, {head.source}" if head is not None else ""),
            })
    return pd.DataFrame(rows)


def money_inputs(money: Money, years: list[str], bands: list[str], point: str = "middle") -> pd.DataFrame:
    """The money per WTE the plan uses, by year and band, with its status and source (the page's editable table)."""
    rows = []
    for year in years:
        for band in bands:
            cost, cap = money.employment_cost(year, band, point), money.annual_cap(year, band)
            rows.append({"year": year, "band": band, "cost_per_wte": float(round(cost.value)),  # whole pounds, as shown
                         "cap_per_wte": float(round(cap.value)),
                         "status": "published" if cost.published and cap.published else "assumption (derived)",
                         "source": f"cost: {cost.source}; cap: {cap.source}"})
    return pd.DataFrame(rows)


def money_overrides(shipped: pd.DataFrame, edited: pd.DataFrame) -> dict:
    """{(year, band, "cost" or "cap"): GBP} for every figure the user changed in money_inputs' table."""
    out = {}
    for (_, before), (_, after) in zip(shipped.iterrows(), edited.iterrows()):
        for column, name in (("cost_per_wte", "cost"), ("cap_per_wte", "cap")):
            value = pd.to_numeric(after[column], errors="coerce")
            if pd.notna(value) and abs(float(value) - float(before[column])) > 0.005:
                out[(before.year, before.band, name)] = float(value)
    return out


def with_overrides(shipped: pd.DataFrame, overrides: dict) -> pd.DataFrame:
    """money_inputs' table with the user's figures (money_overrides) in place, each such row marked "your figure"."""
    out = shipped.copy()
    for i, row in out.iterrows():
        changed = False
        for column, name in (("cost_per_wte", "cost"), ("cap_per_wte", "cap")):
            if (row.year, row.band, name) in overrides:
                out.at[i, column], changed = overrides[(row.year, row.band, name)], True
        if changed:
            out.at[i, "status"] = "your figure"
    return out


#: The plan's columns as a board reads them (units in the headers), and their decimals.
PLAN_COLUMNS = {"year": ("Year", None), "rule": ("Limit that year", None), "role": ("Role", None),
                "band": ("AfC band", None), "entitlement_wte": ("Guide's entitlement (WTE)", 1),
                "need_wte": ("Need (WTE)", 1), "current_wte": ("Current (WTE)", 1),
                "suggested_wte": ("Suggested (WTE)", 1), "posts": ("Posts", 0),
                "cost_per_wte": ("Employment cost per WTE (£)", 0), "cap_per_wte": ("ARRS maximum per WTE (£)", 0),
                "employment_cost": ("Gross cost (£)", 0), "provider_share": ("Provider share (£)", 0),
                "pcn_contribution": ("PCN contribution (£)", 0), "arrs_reimbursement": ("ARRS reimbursement (£)", 0),
                "net_pcn_cost": ("Net cost to the PCN (£)", 0), "envelope_share": ("Share of ARRS envelope (%)", 1),
                "money": ("Money", None)}


def plan_table(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan with readable headers, WTE to 1 decimal, pounds whole, the envelope share in %."""
    out = plan[list(PLAN_COLUMNS)].copy()
    out["envelope_share"] = 100 * pd.to_numeric(out.envelope_share, errors="coerce")
    for column, (_, decimals) in PLAN_COLUMNS.items():
        if decimals is not None:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(decimals)
    return out.rename(columns={c: label for c, (label, _) in PLAN_COLUMNS.items()})


PLAN_TOTALS = ("entitlement_wte", "need_wte", "current_wte", "suggested_wte", "posts", "employment_cost",
               "provider_share", "pcn_contribution", "arrs_reimbursement", "net_pcn_cost", "envelope_share")


def plan_year(plan: pd.DataFrame, year: str) -> tuple[pd.DataFrame, pd.Series]:
    """One year of a plan (its rows, one per role) and the year's totals over both roles."""
    rows = plan[plan.year == year]
    return rows, rows[list(PLAN_TOTALS)].sum()


#: How far the shares of each register needing an MHP may be off (no national norm exists: FACTS.md): the low
#: and high need take every share at half and one and a half times its value.
SHARE_FIELDS = ("smi_share", "depression_share", "unrecorded_cmd_share", "rejected_referral_share",
                "long_wait_share", "cyp_share")
SHARE_RANGE = (0.5, 1.5)


def need_range(inputs: pd.Series, a: Assumptions = Assumptions()) -> tuple[float, float, float]:
    """(low, central, high) need in WTE: every share assumption at half, as set, and one and a half times."""
    frame = pd.DataFrame([inputs])
    low, high = (a.replace(**{f: getattr(a, f) * k for f in SHARE_FIELDS}) for k in SHARE_RANGE)
    return tuple(float(need(frame, x).need_wte.iloc[0]) for x in (low, a, high))


def plan_summary(totals: pd.Series, year: str, rule: str = "", envelope: float | None = None,
                 envelope_money: str = "") -> list[str]:
    """The plan in plain English (the page's and the printable plan's summary): need against entitlement,
    with the numbers, and the whole cost split."""
    if totals.need_wte < totals.entitlement_wte:
        gap = (f"Need ({totals.need_wte:.1f} WTE) is below the guide's entitlement ({totals.entitlement_wte:.1f} "
               "WTE): entitlement comes from list size alone, need from the PCN's registers and the assumptions, "
               "so the PCN could employ more than its population is estimated to need.")
    else:
        gap = (f"Need ({totals.need_wte:.1f} WTE) is at or above the guide's entitlement "
               f"({totals.entitlement_wte:.1f} WTE), which comes from list size alone.")
    lines = [f"In {year} the limit is {rule or 'the entitlement'}. {gap}",
             f"Suggested {totals.suggested_wte:.1f} WTE in {int(totals.posts)} posts cost £{totals.employment_cost:,.0f} "
             f"a year: the provider pays £{totals.provider_share:,.0f}, the PCN £{totals.pcn_contribution:,.0f}, of "
             f"which the ARRS reimburses £{totals.arrs_reimbursement:,.0f}, leaving £{totals.net_pcn_cost:,.0f} net "
             "to the PCN."]
    if envelope:
        lines.append(f"The reimbursement is {totals.arrs_reimbursement / envelope:.1%} of the PCN's ARRS envelope "
                     f"of £{envelope:,.0f} (weighted population x GBP a head, {envelope_money or 'published'}).")
    return lines


# -- Sharing an ICB pool ---------------------------------------------------------------------------------------

def allocation_totals(table: pd.DataFrame) -> pd.Series:
    """Allocated, needed and current WTE over all PCNs of an allocation_table."""
    return table[["allocated_wte", "need_wte", "current_wte"]].sum()


def icb_entitlement(inputs: pd.DataFrame, year: str) -> float:
    """The sum of the PCNs' ARRS entitlements: the default pool."""
    return float(sum(entitlement(n, year) for n in inputs.list_size))


def allocate(pool: float, weights, floors=None, step: float = 1.0) -> np.ndarray:
    """Share ``pool`` WTE across areas in proportion to ``weights``, in whole multiples of ``step`` (1 = whole
    posts, 0.1 WTE), by the largest-remainder method so the total is exactly the pool; no area below its
    floor. Ties go to the earlier area, so the same inputs always give the same answer."""
    w = np.asarray(weights, dtype=float)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("need weights must be finite and not negative")
    units = int(round(pool / step))
    if not math.isclose(units * step, pool, abs_tol=1e-9):
        raise ValueError(f"the pool ({pool}) is not a whole number of {step} WTE steps")
    floor_units = np.zeros(len(w), dtype=int) if floors is None else np.ceil(
        np.round(np.asarray(floors, dtype=float) / step, 9)).astype(int)
    if floor_units.sum() > units:
        raise ValueError(f"the floors add up to {floor_units.sum() * step:g} WTE, more than the pool of {pool:g}")
    # Areas whose share falls below their floor get the floor; the rest is shared among the others.
    fixed = np.zeros(len(w), dtype=bool)
    while True:
        free_units = units - floor_units[fixed].sum()
        free_weight = w[~fixed].sum()
        quota = np.where(fixed, floor_units, 0.0).astype(float)
        if free_weight > 0:
            quota[~fixed] = free_units * w[~fixed] / free_weight
        elif (~fixed).any():
            quota[~fixed] = free_units / (~fixed).sum()
        below = ~fixed & (quota < floor_units)
        if not below.any():
            break
        fixed |= below
    whole = np.floor(quota + 1e-9).astype(int)
    left = units - whole.sum()
    remainder = np.where(fixed, -1.0, quota - whole)
    order = sorted(range(len(w)), key=lambda i: (-remainder[i], i))
    for i in order[:left]:
        whole[i] += 1
    return whole * step


def allocation_table(inputs: pd.DataFrame, year: str, pool: float | None, a: Assumptions = Assumptions(),
                     floors: dict[str, float] | None = None, current: dict[str, float] | None = None,
                     step: float = 1.0) -> pd.DataFrame:
    """Every PCN with its entitlement, need, need-weighted population, allocated WTE from the pool (default:
    the sum of entitlements) and current staffing."""
    table = need(inputs, a)
    table["entitlement_wte"] = [entitlement(n, year) for n in table.list_size]
    if pool is None:
        pool = float(table.entitlement_wte.sum())
    demand = table.adult_demand + table.cyp_demand
    per_head = demand.sum() / table.list_size.sum() if table.list_size.sum() else 0
    table["weighted_population"] = demand / per_head if per_head else table.list_size
    floor_values = [float((floors or {}).get(code, 0.0)) for code in table.pcn_code]
    table["floor_wte"] = floor_values
    table["allocated_wte"] = allocate(pool, table.weighted_population, floor_values, step)
    table["current_wte"] = [float((current or {}).get(code, 0.0)) for code in table.pcn_code]
    table["allocated_vs_entitlement"] = table.allocated_wte - table.entitlement_wte
    table["wte_per_10k_weighted"] = np.where(table.weighted_population > 0,
                                             10_000 * table.allocated_wte / table.weighted_population, np.nan)
    return table


#: The allocation as a board reads it: headers with units, and their decimals.
ALLOCATION_COLUMNS = {"pcn_code": ("PCN code", None), "pcn_name": ("PCN", None),
                      "list_size": ("Registered patients", 0), "weighted_population": ("Need-weighted population", 0),
                      "need_wte": ("Need (WTE)", 1), "entitlement_wte": ("Guide's entitlement (WTE)", 1),
                      "floor_wte": ("Floor (WTE)", 1), "allocated_wte": ("Allocated (WTE)", 1),
                      "allocated_vs_entitlement": ("Allocated less entitlement (WTE)", 1),
                      "current_wte": ("Current (WTE)", 1), "wte_per_10k_weighted": ("WTE per 10,000 weighted", 2)}


def allocation_view(table: pd.DataFrame) -> pd.DataFrame:
    """The allocation with readable headers and rounded figures, most allocated first."""
    out = table.sort_values("allocated_wte", ascending=False)[list(ALLOCATION_COLUMNS)].copy()
    for column, (_, decimals) in ALLOCATION_COLUMNS.items():
        if decimals is not None:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(decimals)
    return out.rename(columns={c: label for c, (label, _) in ALLOCATION_COLUMNS.items()})


def weighting_formula(table: pd.DataFrame, pcn_code: str, pool: float) -> str:
    """The need weighting written out with one PCN's numbers."""
    row = table.set_index("pcn_code").loc[pcn_code]
    demand = row.adult_demand + row.cyp_demand
    total_demand = (table.adult_demand + table.cyp_demand).sum()
    per_head = total_demand / table.list_size.sum()
    return (f"{row.pcn_name}: need-weighted population = its patients needing an MHP a year ({demand:,.0f}) / the "
            f"ICB's patients needing one per registered patient ({per_head:.5f}) = {row.weighted_population:,.0f} "
            f"(registered: {row.list_size:,.0f}). Its share of the pool = {row.weighted_population:,.0f} / "
            f"{table.weighted_population.sum():,.0f} x {pool:g} WTE = "
            f"{pool * row.weighted_population / table.weighted_population.sum():.2f} WTE before rounding to the "
            f"step and the floors; allocated {row.allocated_wte:g} WTE.")


def assumption_fields() -> list[str]:
    return [f.name for f in fields(Assumptions)]


# -- Current staffing from a simple file -----------------------------------------------------------------------

#: The staffing file's optional columns (the needed ones, readers.STAFFING_COLUMNS, are how a file is known as the
#: staffing file wherever it is: readers.is_staffing).
STAFFING_OPTIONAL = ("band", "start_date", "end_date")
#: No post starts or ends before the NHS began: an earlier date is a mistyped year (1677 for 2017, 0001).
EARLIEST_DATE = date(1948, 7, 5)
#: The last day pandas' dates reach (11 April 2262). An end date after it (9999-12-31, the usual "no end date", or
#: 3000-01-01) says the post has not ended: it is read as no end date, and said so. A start after it is no start.
LATEST_DATE = pd.Timestamp.max.date()
#: A PCN code: U and five ASCII digits (a full-width digit passes \d, and would be another PCN to every join).
PCN_CODE = re.compile(r"U[0-9]{5}")


class StaffingFileError(ValueError):
    """A current-staffing file that cannot be read: ``problems`` (readers' Issues) each name the file, row and
    column; the message is one line each."""

    def __init__(self, problems: list[Issue]):
        self.problems = problems
        shown = [str(p) for p in problems[:20]] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__("\n".join(shown))


def staffing_wte(staffing: pd.DataFrame | None, pcn_code: str, role: str) -> float:
    """The WTE in post for one PCN and role in a file read by read_current_staffing (0 without a file)."""
    if staffing is None:
        return 0.0
    return float(staffing[(staffing.pcn_code == pcn_code) & (staffing.role == role)].wte.sum())


def read_staffing(data: bytes, file_name: str, pcns: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """The posts of a staffing file (staffing_and_notes, without its notes)."""
    return staffing_and_notes(data, file_name, pcns)[0]


def staffing_and_notes(data: bytes, file_name: str,
                       pcns: dict[str, list[str]] | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """A CSV of the MHPs in post, one row per post: pcn_code, role (adult or cyp) and wte, and optionally band
    (AfC 4 to 8a), start_date and end_date (YYYY-MM-DD or DD/MM/YYYY; blank for none), with notes on what was read
    otherwise than written (an end date of 9999-12-31 as none; a PCN of an earlier mapping only). ``pcns``: the PCN
    codes of the loaded mappings with their years (store.pcn_codes); a code in none of them is refused. Every
    problem is named by file, row (the header is row 1) and column; nothing is half-read (StaffingFileError)."""
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise StaffingFileError([Issue("error", file_name, None, None,
                                       f"this is not a readable CSV file ({exc}).")]) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for column in STAFFING_COLUMNS:
        if column not in frame.columns:
            raise StaffingFileError([Issue("error", file_name, 1, None, f"the column {column} is missing (needed: "
                                           f"{', '.join(STAFFING_COLUMNS)}; optional: {', '.join(STAFFING_OPTIONAL)}).")])
    for column in STAFFING_OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    problems, notes, dates, open_ended = [], [], {}, []

    def problem(line: int, column: str, message: str) -> None:
        problems.append(Issue("error", file_name, line, column, message))

    for i, row in frame.iterrows():
        line = i + 2
        code = str(row.pcn_code).strip().upper()
        if not code:
            problem(line, "pcn_code", "no PCN code.")
        elif (wrong := _pcn_code_problem(code, pcns)) is not None:
            problem(line, "pcn_code", wrong)
        elif pcns and (earlier := _earlier_pcn(code, pcns)) is not None:
            notes.append(Issue("warning", file_name, line, "pcn_code", earlier))
        role = str(row.role).strip().lower()
        if role not in ROLES:
            problem(line, "role", f"'{row.role}' is not adult or cyp.")
        wte = pd.to_numeric(str(row.wte).strip(), errors="coerce")
        if pd.isna(wte) or wte < 0 or wte > 10:
            problem(line, "wte", f"'{row.wte}' is not a WTE from 0 to 10.")
        band = str(row.band).strip()
        if band and band not in BANDS:
            problem(line, "band", f"'{row.band}' is not an AfC band ({', '.join(BANDS)}).")
        for column in ("start_date", "end_date"):
            written = str(row[column]).strip()
            day = _date(written) if written else None
            if written and day is None:
                problem(line, column, f"'{written}' is not a date (YYYY-MM-DD).")
            elif day is not None and day < EARLIEST_DATE:
                problem(line, column, f"{written} is before the NHS began (5 July 1948): a mistyped year?")
            elif day is not None and day > LATEST_DATE and column == "start_date":
                problem(line, column, f"{written} is not a start date a post can have (after 2262); leave it blank "
                                      "if it is not known.")
            elif day is not None and day > LATEST_DATE:
                open_ended.append((line, written))
                day = None
            dates[(i, column)] = pd.Timestamp(day) if day is not None else pd.NaT
        if pd.notna(dates[(i, "start_date")]) and pd.notna(dates[(i, "end_date")]) \
                and dates[(i, "end_date")] < dates[(i, "start_date")]:
            problem(line, "end_date", "it is before the start date.")
    if problems:
        raise StaffingFileError(problems)
    if open_ended:
        notes.append(_open_ended_note(file_name, open_ended))
    read = pd.DataFrame({
        "pcn_code": frame.pcn_code.str.strip().str.upper(), "role": frame.role.str.strip().str.lower(),
        "band": frame.band.str.strip().replace("", None), "wte": frame.wte.astype(float),
        "start_date": pd.Series([dates[(i, "start_date")] for i in frame.index], index=frame.index,
                                dtype="datetime64[ns]"),
        "end_date": pd.Series([dates[(i, "end_date")] for i in frame.index], index=frame.index,
                              dtype="datetime64[ns]")})
    return read, sorted(notes, key=lambda n: (n.row or 0, n.column or ""))


def _date(written: str) -> date | None:
    """A date written YYYY-MM-DD or DD/MM/YYYY, any year from 1 to 9999 (checked against the dates a post can
    have by the caller); None when it is neither."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(written, pattern).date()
        except ValueError:
            continue
    return None


def _pcn_code_problem(code: str, pcns: dict[str, list[str]] | None) -> str | None:
    """Why ``code`` is not a PCN code: a character that cannot be seen, or only looks like a letter or digit (a
    code copied from a web page or a document), named by its Unicode name, as it would otherwise be another PCN to
    every join; with the loaded mappings' codes (``pcns``), not U and five digits, or a PCN of none of them."""
    odd = next((c for c in code if not (c.isascii() and c.isprintable())), None)
    if odd is not None:
        kind = "a character that only looks like a letter or digit" if odd.isprintable() else "an invisible character"
        return (f"'{code}' holds {kind} (U+{ord(odd):04X} {unicodedata.name(odd, 'without a name')}); type the code "
                "again (U then five digits, such as U12345).")
    if not pcns:  # no mapping to check against
        return None
    if not PCN_CODE.fullmatch(code):
        return f"'{code}' is not a PCN code (U then five digits, such as U12345)."
    if code not in pcns:
        return (f"'{code}' is not a PCN in any practice-to-PCN mapping loaded; check the code (each PCN's code is on "
                "its profile page).")
    return None


def _earlier_pcn(code: str, pcns: dict[str, list[str]]) -> str | None:
    """A PCN of earlier mappings only (closed or merged since): its posts are kept under its code, said."""
    latest = max(period for periods in pcns.values() for period in periods)
    years = sorted(pcns[code])
    if latest in years:
        return None
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
    return (f"{code} is a PCN in the mapping of {span} only, not of {latest} (the latest loaded): its posts are kept "
            "under that code, and count for the years it is a PCN.")


def _open_ended_note(file_name: str, rows: list[tuple[int, str]]) -> Issue:
    """End dates beyond pandas' (9999-12-31, the usual "no end date"), read as none: one note for the file."""
    line, written = rows[0]
    more = f" (rows {', '.join(str(r) for r, _ in rows)})" if len(rows) > 1 else ""
    return Issue("warning", file_name, line, "end_date", f"an end date after 11 April 2262, such as {written}, is "
                 f"read as no end date: the post is still in post{more}.")


def in_post(staffing: pd.DataFrame, on=None) -> pd.DataFrame:
    """The WTE in post by PCN and role on the date ``on`` (every post without dates counts; none: every post not
    ended)."""
    rows = staffing
    if on is not None:
        on = pd.Timestamp(on)
        rows = rows[(rows.start_date.isna() | (rows.start_date <= on)) & (rows.end_date.isna() | (rows.end_date >= on))]
    else:
        rows = rows[rows.end_date.isna() | (rows.end_date >= pd.Timestamp.today())]
    return rows.groupby(["pcn_code", "role"], as_index=False).wte.sum()


def read_current_staffing(data: bytes, file_name: str) -> pd.DataFrame:
    """The MHPs in post today by PCN and role (read_staffing, then in_post)."""
    return in_post(read_staffing(data, file_name))
