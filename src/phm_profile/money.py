"""The money of an MHP through the ARRS, from published figures: Agenda for Change pay points, employer on-costs,
the ARRS maximum reimbursable amounts by band and the date they took effect (in-year changes kept), and the PCN's
ARRS envelope per weighted head. The published figures are data (data/money/*.csv, each row naming its source,
all from shared/data/reference/arrs/FACTS.md); every other figure is derived here in a stated way and flagged as
not published: the ``Figure`` it comes in says which and how.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache, wraps

import pandas as pd

from .config import DATA_DIR

MONEY_DIR = DATA_DIR / "money"
POINTS = ("entry", "middle", "top")
#: Pay and caps after the last published year rise by this much a year unless the user says otherwise: the
#: 2025/26 Agenda for Change award (3.6%, from the published 2024/25 and 2025/26 pay points), carried forward.
DEFAULT_UPLIFT = 0.036
#: The national ARRS pool, for deriving the 2026/27 envelope per head (FACTS.md: "about 1.7bn" for 2025/26,
#: "pool 1,754m" provisional for 2026/27).
NATIONAL_POOL = {"2025-26": (1_700e6, "2025/26 ARRS 'one pot' of about 1.7bn (Humberside LMC; Pulse)"),
                 "2026-27": (1_754e6, "2026/27 ARRS pool 1,754m, provisional (SSLMCs; haresign.net)")}


@dataclass(frozen=True)
class Figure:
    """A money figure with where it comes from: ``published`` is False for anything derived or assumed."""

    value: float
    source: str
    published: bool

    @property
    def status(self) -> str:
        return "published" if self.published else "assumption (derived)"


def year_start(year: str) -> int:
    return int(year[:4])


def year_name(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def current_year(today: date | None = None) -> str:
    """The financial year (April to March) holding ``today``."""
    today = today or date.today()
    return year_name(today.year if today.month >= 4 else today.year - 1)


def plan_years(today: date | None = None, ahead: int = 3, first: str = "2021-22") -> tuple[list[str], list[str]]:
    """(history, plan): the years from the first with MHPs in the ARRS to last year, and this year and the next
    ``ahead``."""
    now = year_start(current_year(today))
    return ([year_name(y) for y in range(year_start(first), now)],
            [year_name(y) for y in range(now, now + ahead + 1)])


def _remembered(method):
    """A Money method remembered per instance and arguments: its tables do not change once read, and a workforce
    page asks for the same figures many times (most of that page's server time before: benchmarks/README.md)."""
    @wraps(method)
    def remembered(self, *args, **kwargs):
        key = (method.__name__, args, tuple(sorted(kwargs.items())))
        if key not in self._remembered:
            self._remembered[key] = method(self, *args, **kwargs)
        return self._remembered[key]
    return remembered


@lru_cache(maxsize=32)
def money_for(uplift: float = DEFAULT_UPLIFT) -> Money:
    """The Money of an uplift, made once (with the figures it has worked out) for every page and session."""
    return Money(uplift)


class Money:
    """The published tables, and the derivations for every year and band they do not cover."""

    def __init__(self, uplift: float = DEFAULT_UPLIFT, money_dir=MONEY_DIR):
        self.uplift = float(uplift)
        self.caps = pd.read_csv(money_dir / "arrs_caps.csv", dtype={"band": str}, parse_dates=["effective_from"])
        self.pay_table = pd.read_csv(money_dir / "afc_pay.csv", dtype={"band": str, "year": str})
        self.oncost_table = pd.read_csv(money_dir / "employer_oncosts.csv", parse_dates=["effective_from"])
        self.envelope_table = pd.read_csv(money_dir / "arrs_envelope.csv", dtype={"year": str})
        self._remembered: dict = {}

    @cached_property
    def pay_years(self) -> list[str]:
        return sorted(self.pay_table.year.unique())

    def _uplifted(self, value: float, years: int) -> float:
        return value * (1 + self.uplift) ** years

    # -- Pay ------------------------------------------------------------------------------------------------

    @_remembered
    def pay(self, year: str, band: str, point: str = "middle") -> Figure:
        """The Agenda for Change pay point of ``band`` in ``year``: published, or derived (said how)."""
        band, first, last = str(band), self.pay_years[0], self.pay_years[-1]
        if band == "4":  # not gathered: from band 4's ARRS cap, less employer NI and pension
            cap = self.annual_cap(year, "4")
            ni, threshold, pension, _ = self.oncosts(year)
            value = (cap.value + ni * threshold) / (1 + ni + pension)
            return Figure(value, f"band 4 pay points were not found: the band 4 ARRS cap for {year} less employer "
                          "NI and pension (derived; the same for every point)", False)
        if year > last:
            base = self.pay(last, band, point)
            n = year_start(year) - year_start(last)
            return Figure(self._uplifted(base.value, n), f"{last} {point} point ({base.value:,.0f}) plus "
                          f"{self.uplift:.1%} a year (assumption)", False)
        if year < first:
            base = self.pay(first, band, point)
            n = year_start(first) - year_start(year)
            return Figure(base.value / (1 + self.uplift) ** n, f"{first} {point} point less {self.uplift:.1%} a "
                          "year (assumption: earlier pay tables not gathered)", False)
        row = self.pay_table[(self.pay_table.year == year) & (self.pay_table.band == band)]
        if row.empty:
            raise ValueError(f"no pay points for band {band}")
        row = row.iloc[0]
        if pd.isna(row[point]):
            value = (row.entry + row.top) / 2
            return Figure(value, f"midway between the published entry and top points ({row.source})", False)
        return Figure(float(row[point]), row.source, True)

    # -- Employer on-costs and the cost of a WTE ------------------------------------------------------------

    @_remembered
    def oncosts(self, year: str) -> tuple[float, float, float, str]:
        """(NI rate, NI threshold a year, pension rate, source) in force on 6 April of ``year`` (the tax year)."""
        on = pd.Timestamp(year_start(year), 4, 6)
        rows = self.oncost_table[self.oncost_table.effective_from <= on].sort_values("effective_from")
        row = rows.iloc[-1] if len(rows) else self.oncost_table.sort_values("effective_from").iloc[0]
        return float(row.ni_rate), float(row.ni_threshold), float(row.pension_rate), row.source

    @_remembered
    def employment_cost(self, year: str, band: str, point: str = "middle") -> Figure:
        """One WTE for a year: pay + employer NI above the threshold + employer pension."""
        pay = self.pay(year, band, point)
        ni, threshold, pension, source = self.oncosts(year)
        value = pay.value + ni * max(pay.value - threshold, 0.0) + pension * pay.value
        return Figure(value, f"pay {pay.value:,.0f} ({pay.source}) + employer NI {ni:.1%} above {threshold:,.0f} "
                      f"+ pension {pension:.2%} ({source})", pay.published)

    # -- ARRS caps --------------------------------------------------------------------------------------------

    @_remembered
    def cap_on(self, band: str, day: date) -> Figure:
        """The ARRS maximum reimbursable amount per WTE for ``band`` in force on ``day``."""
        band, day = str(band), pd.Timestamp(day)
        rows = self.caps[(self.caps.band == band) & (self.caps.effective_from <= day)].sort_values("effective_from")
        year = current_year(day.date())
        if band == "6":
            cost = self.employment_cost(year, "6", "middle")
            return Figure(cost.value, "no band 6 cap was found: the band 6 middle pay point with employer NI and "
                          f"pension for {year} (derived)", False)
        published_to = self.caps[self.caps.band == "5"].effective_from.max()
        if rows.empty:  # before the first published cap (2023/24): the first one, an assumption
            first = self.caps[self.caps.band == band].sort_values("effective_from").iloc[0]
            return Figure(float(first.max_reimbursable_per_wte), f"caps before 2023/24 not gathered: the "
                          f"{first.effective_from:%d %b %Y} cap (assumption)", False)
        last = rows.iloc[-1]
        if band == "4" and day >= published_to and last.effective_from < published_to:
            # band 4 after its last published cap moved as band 5's did
            ratio = self.cap_on("5", day).value / self.cap_on("5", last.effective_from.date()).value
            return Figure(float(last.max_reimbursable_per_wte) * ratio, f"band 4's {last.effective_from:%d %b %Y} "
                          "cap moved as band 5's cap did (derived)", False)
        last_year = current_year(last.effective_from.date())
        if year > current_year(published_to.date()):  # after the last year with published caps: grown with pay
            growth = (self.pay(year, "5" if band == "4" else band, "middle").value
                      / self.pay(last_year, "5" if band == "4" else band, "middle").value)
            return Figure(float(last.max_reimbursable_per_wte) * growth,
                          f"the {last.effective_from:%d %b %Y} cap ({last.max_reimbursable_per_wte:,.0f}) grown with "
                          f"Agenda for Change pay from {last_year} to {year} (derived)", False)
        in_force = "" if last.effective_from.year == day.year and current_year(last.effective_from.date()) == year \
            else f"; in force from {last.effective_from:%d %b %Y}"
        return Figure(float(last.max_reimbursable_per_wte), last.source + in_force, True)

    @_remembered
    def annual_cap(self, year: str, band: str) -> Figure:
        """What one WTE for the whole of ``year`` can be reimbursed at most: each cap weighted by the days it was
        in force (2023/24 changed on 1 July; 2024/25 on 1 October)."""
        start, end = date(year_start(year), 4, 1), date(year_start(year) + 1, 3, 31)
        changes = sorted({start} | {d.date() for d in self.caps.effective_from if start < d.date() <= end})
        days = (end - start).days + 1
        total, sources, published = 0.0, [], True
        for i, first in enumerate(changes):
            last = (changes[i + 1] - timedelta(days=1)) if i + 1 < len(changes) else end
            figure = self.cap_on(band, first)
            total += figure.value * ((last - first).days + 1)
            published &= figure.published
            sources.append(f"{figure.value:,.0f} from {first:%d %b %Y} ({figure.source})")
        return Figure(total / days, "; ".join(sources), published)

    # -- The PCN's ARRS envelope ------------------------------------------------------------------------------

    @_remembered
    def per_head(self, year: str) -> Figure | None:
        """The PCN's ARRS sum per weighted head in ``year``; None before the envelope (2024/25)."""
        table = self.envelope_table.sort_values("year")
        if year < table.year.iloc[0]:
            return None
        row = table[table.year == year]
        if len(row):
            return Figure(float(row.gbp_per_weighted_head.iloc[0]), row.source.iloc[0], True)
        last = table.iloc[-1]
        if year == "2026-27" and last.year == "2025-26":
            (old, old_source), (new, new_source) = NATIONAL_POOL["2025-26"], NATIONAL_POOL["2026-27"]
            return Figure(last.gbp_per_weighted_head * new / old,
                          f"2025/26 {last.gbp_per_weighted_head} GBP a head x the pool's growth ({new_source} / "
                          f"{old_source}) (derived)", False)
        base = self.per_head("2026-27") if year > "2026-27" else None
        start = "2026-27" if base is not None else last.year
        base = base or Figure(float(last.gbp_per_weighted_head), last.source, True)
        n = year_start(year) - year_start(start)
        return Figure(self._uplifted(base.value, n), f"{start} {base.value:.3f} GBP a head plus {self.uplift:.1%} a "
                      "year (assumption)", False)
