"""Your own areas: neighbourhoods, localities, federations, any grouping of practices or PCNs.

An area set is a CSV with the columns ``area_name`` and ``code``, one row per member, a code being a practice's
or a PCN's (a PCN stands for its practices of the year shown). Sets are shipped with the data folder
(``areas/*.csv``, one set per file, named after the file) or loaded and made in the app. Every row is checked and
each problem named by file, row and column: a row that does not fit is left out and said, never guessed at.

An area's figures are summed from its practices' counts in ``practice_profile``, the model that gives a PCN's
practices (queries.area_profile). With suppression on, from the released practice counts: an area's count is a
sum of counts each already shown, a practice whose count is hidden is left out of every area (and counted), so
the difference of two areas, or the least-squares solution of many, is at most a combination of released
numbers: nothing an attacker chooses gives a hidden count back."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from .readers.base import Issue

#: The folder of a data folder whose CSVs are the shipped area sets.
AREAS_FOLDER = "areas"
COLUMNS = ("area_name", "code")
#: An area's name is shown on every page and export: long enough for "North Leeds neighbourhood 3".
MAX_NAME = 80
#: Practice codes (A81001) and PCN codes (U12345) are short Latin letters and digits.
CODE = re.compile(r"[A-Z0-9]{3,10}")


class AreaFileError(Exception):
    """An area file that cannot be read as one (not a CSV, no area_name or code column, no area left)."""


@dataclass
class AreaSet:
    """A set of areas as read: ``members`` (area_name, code, kind: 'practice' or 'pcn'), the problems found
    (``notes``: warnings naming file, row and column; str() of one reads "file, row R, column C: ..."), and the
    set's name."""
    name: str
    members: pd.DataFrame
    notes: list[Issue] = field(default_factory=list)

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(self.members.area_name))

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The members as (area_name, code) pairs: what the queries take, as bound parameters."""
        return tuple(zip(self.members.area_name, self.members.code))


def keys(names) -> dict[str, str]:
    """Each area's key, A1, A2 ... in the set's order: what a chart keys an area by (its name is text from a
    file, shown escaped, never a key a hover writes as it is)."""
    return {name: f"A{i}" for i, name in enumerate(dict.fromkeys(names), 1)}


def set_name(file_name: str) -> str:
    """The set's name from its file's: 'areas/Leeds neighbourhoods.csv' is 'Leeds neighbourhoods'."""
    stem = str(file_name).replace("\\", "/").rsplit("/", 1)[-1]
    return stem[:-4] if stem.lower().endswith(".csv") else stem


def _text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AreaFileError("it is neither UTF-8 nor Windows-1252 text")


def _why_not_a_code(code: str) -> str:
    odd = [c for c in code if not ("A" <= c <= "Z" or "0" <= c <= "9")]
    if odd:
        names = ", ".join(f"'{c}' ({unicodedata.name(c, 'unnamed character')})" for c in dict.fromkeys(odd))
        return f"is not a practice or PCN code: it has {names}, not a Latin letter or digit"
    return "is not a practice or PCN code (3 to 10 letters and digits)"


def read_area_set(content: bytes, file_name: str, practices: set[str], pcns: set[str]) -> AreaSet:
    """Read and check an area file. ``practices`` and ``pcns``: the codes the loaded data knows. Raises
    AreaFileError when it cannot be read as an area file; otherwise each row that does not fit (an empty name or
    code, a code of no practice or PCN, a look-alike character) is left out with a note naming its row and
    column, and overlaps (a practice in two areas, a row given twice) are notes, kept."""
    try:
        frame = pd.read_csv(io.StringIO(_text(content)), dtype=str, keep_default_na=False, skipinitialspace=True)
    except AreaFileError as exc:
        raise AreaFileError(f"{file_name}: {exc}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise AreaFileError(f"{file_name}: not a CSV file the product can read ({str(exc).splitlines()[0]})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise AreaFileError(f"{file_name}, row 1: no column {' or '.join(missing)} (an area file has the columns "
                            "area_name and code, one row per practice or PCN)")
    notes, kept, seen = [], [], set()

    def note(row, column, message):
        notes.append(Issue("warning", file_name, row, column, message))

    for i, (name, code) in enumerate(zip(frame.area_name, frame.code)):
        row = i + 2  # the header is row 1
        name = " ".join(str(name).split())
        code = str(code).strip().upper()
        if not name:
            note(row, "area_name", "empty; the row is left out.")
            continue
        if len(name) > MAX_NAME:
            note(row, "area_name", f"longer than {MAX_NAME} characters; the row is left out.")
            continue
        if not code:
            note(row, "code", "empty; the row is left out.")
            continue
        if not CODE.fullmatch(code):
            note(row, "code", f"{code!r} {_why_not_a_code(code)}; the row is left out.")
            continue
        kind = "practice" if code in practices else "pcn" if code in pcns else None
        if kind is None:
            note(row, "code", f"no practice or PCN of the loaded data has the code {code}; the row is left out.")
            continue
        if (name, code) in seen:
            note(row, "code", f"{code} is in {name!r} already; counted once.")
            continue
        seen.add((name, code))
        kept.append((name, code, kind, row))
    members = pd.DataFrame(kept, columns=["area_name", "code", "kind", "row"])
    given = list(dict.fromkeys(" ".join(str(n).split()) for n in frame.area_name if str(n).strip()))
    for area in given:
        if area not in set(members.area_name):
            note(None, "area_name", f"the area {area!r} has no practice or PCN the data knows; it is left out.")
    if members.empty:
        raise AreaFileError(f"{file_name}: no area is left once the rows that do not fit are left out"
                            + (f" ({notes[0]})" if notes else ""))
    practices_in = members[members.kind == "practice"].groupby("code").area_name.unique()
    for code, names in practices_in.items():
        if len(names) > 1:
            note(None, "code", f"practice {code} is in {len(names)} areas of the set ({', '.join(map(repr, names))}): "
                 "areas may overlap; each counts it.")
    return AreaSet(set_name(file_name), members.drop(columns="row").reset_index(drop=True), notes)


def to_csv(area_set: AreaSet) -> bytes:
    """An area set as the CSV it can be loaded again from."""
    from .exports import csv_bytes

    return csv_bytes(area_set.members[list(COLUMNS)])


def from_picks(picks: dict[str, list[str]], practices: set[str], pcns: set[str]) -> AreaSet:
    """An area set made in the app: area name -> codes picked (checked as a file's rows are)."""
    rows = [(name, code) for name, codes in picks.items() for code in codes]
    content = pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(index=False).encode()
    return read_area_set(content, "the areas made here", practices, pcns)


def workforce(members: pd.DataFrame, pcns: pd.DataFrame) -> pd.DataFrame:
    """Each area's MHP workforce from its PCNs' (``members``: queries.area_members; ``pcns``: mhp.table of the
    year, one row per PCN with list_size, entitlement_wte, need_wte, mhp_fte and status): an area of whole PCNs
    has the sums of their ARRS entitlement, need-based WTE and MHP FTE in post; an area that splits a PCN takes the
    PCN's figures in the share of its list the area's practices hold (said in ``split``). MHP FTE is summed over
    the PCNs whose return is known; ``not_known`` names those without one."""
    from . import mhp

    lists = members.groupby(["area_name", "pcn_code"], sort=False).list_size.sum(min_count=1).reset_index()
    joined = lists.merge(pcns[["pcn_code", "pcn_name", "list_size", "entitlement_wte", "need_wte", "mhp_fte",
                               "status"]].rename(columns={"list_size": "pcn_list"}), on="pcn_code", how="left")
    joined["share"] = (joined.list_size / joined.pcn_list).clip(upper=1.0)
    whole = joined.share.ge(0.9995)
    joined.loc[whole, "share"] = 1.0
    for column in ("entitlement_wte", "need_wte", "mhp_fte"):
        joined[column] = joined[column] * joined.share
    known = joined.status == mhp.RETURN
    rows = []
    for area, part in joined.groupby("area_name", sort=False):
        split = part[part.share < 1.0]
        rows.append({
            "area_name": area, "pcns": len(part), "list_size": part.list_size.sum(),
            "entitlement_wte": part.entitlement_wte.sum(min_count=1), "need_wte": part.need_wte.sum(min_count=1),
            "mhp_fte": part.mhp_fte[known[part.index]].sum(min_count=1),
            "split": ", ".join(f"{n} ({c}, {s:.0%} of its list)" for n, c, s in
                               zip(split.pcn_name.astype(str), split.pcn_code, split.share)),
            "not_known": ", ".join(part.pcn_code[~known[part.index]]),
        })
    out = pd.DataFrame(rows)
    if len(out):
        out["gap_to_need"] = out.mhp_fte - out.need_wte
    return out
