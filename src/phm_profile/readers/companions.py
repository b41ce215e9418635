"""The publisher's companion files, known by their headers: files that come with the extracts (in the QOF zip,
the PCN Workforce zip, the ONS lookups) but that no figure of the product is built from. A build skips each with a
warning that says what it is, instead of taking it for the extract it most resembles."""

from __future__ import annotations

import re

from .base import normalise_header

#: (headers that all appear, what the file is and why it is not read). Checked in order; the first match wins.
COMPANIONS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"INDICATOR_CODE", "GROUP_CODE", "DOMAIN_CODE"}),
     "the QOF indicator list (MAPPING_INDICATORS); not needed: the product's own table names each register."),
    (frozenset({"PRACTICE_CODE", "REVISED_MAXIMUM_POINTS"}),
     "QOF's maximum points by practice (ORGANISATION_REFERENCE); no figure is built from QOF points."),
    (frozenset({"PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"}),
     "QOF achievement by practice and indicator (ACHIEVEMENT); registers are read from the PREVALENCE file."),
    (frozenset({"LSOA11CD", "LSOA21CD"}),
     "the ONS lookup of 2011 to 2021 LSOAs; not used: each index of deprivation is applied to LSOAs of its "
     "own edition (IMD 2019 on 2011 LSOAs, IMD 2025 on 2021)."),
    (frozenset({"NATION", "LSOA", "OVERALL_LOCAL_SCORE", "UK_IMD_E_SCORE"}),
     "mySociety's composite UK index of deprivation; the English IMD is read from MHCLG's files."),
    (frozenset({"GROUP_CODE", "REGISTER", "LIST", "PREVALENCE"}),
     "prevalence already summed by area (a region, a deprivation decile), not by practice; the product sums "
     "the practices' registers itself."),
    (frozenset({"NAME_OF_FIELD", "DESCRIPTION"}),
     "a definitions workbook (what each field of an extract means), not an extract."),
)


#: An ONS or NHS lookup of LSOAs to sub-ICB locations or ICBs, in any edition's spelling (LSOA21CD, ICB24CD;
#: lsoa21_code, icb24_code; LSOA11CD, SICBL23CD ...).
LSOA_CODE = re.compile(r"LSOA\d\d_?(CD|CODE)")
NHS_AREA_CODE = re.compile(r"(SICBL|ICB|CCG|STP|NHSER)\d\d_?(CD|CODE)(_NHS)?")
LSOA_LOOKUP = ("a lookup of LSOAs to sub-ICB locations or ICBs; not used: practices are placed in ICBs by the "
               "practice-to-PCN mappings.")


def known(name: str, header_rows: list[list[str]]) -> str | None:
    """What a companion file is and why it is skipped, or None when ``header_rows`` (one per sheet) are none."""
    for headers in header_rows:
        normal = {normalise_header(h) for h in headers}
        for needed, what in COMPANIONS:
            if needed <= normal:
                return what
        if any(LSOA_CODE.fullmatch(h) for h in normal) and any(NHS_AREA_CODE.fullmatch(h) for h in normal):
            return LSOA_LOOKUP
    return None
