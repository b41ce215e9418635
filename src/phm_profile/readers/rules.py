"""Checks that need more than one extract (CROSS_FILE, run once every file is loaded) or the built models (BUILT,
run after them), as a table of rules. Each rule's SQL selects the offending rows as (file, row, *values); each row
becomes an issue worded by the rule's message. A rule with ``more`` reports its first MAX_EXAMPLES rows and then
how many more there are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from .base import MAX_EXAMPLES, Report


@dataclass(frozen=True)
class Rule:
    severity: str  # "error" stops the build; "warning" is reported and the data kept
    column: str | None
    sql: str
    message: Callable[..., str]
    more: str = ""  # "... and N more <more>" after the first MAX_EXAMPLES rows; every row reported when empty
    when: str = ""  # SQL that is true when the rule applies (the rule is skipped otherwise)
    params: tuple = ()
    stop: bool = False  # a failing rule that makes every later check meaningless


def run(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...], report: Report) -> None:
    for rule in rules:
        if rule.when and not con.execute(rule.when).fetchall()[0][0]:
            continue
        add = report.error if rule.severity == "error" else report.warning
        if rule.more:
            rows = con.execute(f"SELECT * FROM ({rule.sql}) ORDER BY ALL LIMIT {MAX_EXAMPLES}", list(rule.params)).fetchall()
            total = con.execute(f"SELECT count(*) FROM ({rule.sql})", list(rule.params)).fetchall()[0][0]
        else:
            rows = con.execute(rule.sql, list(rule.params)).fetchall()
            total = len(rows)
        for file, row, *values in rows:
            add(file, row, rule.column, rule.message(*values))
        if total > len(rows):
            add(rows[0][0], None, rule.column, f"... and {total - len(rows):,} more {rule.more}")
        if rows and rule.stop:
            return


def _count(n) -> str:
    """A patient count in a message, as released (the Data & methods page is seen with suppression on): 1-7 never
    written, others rounded to 5 (suppression.release_counts)."""
    from ..suppression import release_counts

    shown = release_counts([n])[0]
    if n is None or shown != shown:
        return "fewer than 8" if n is not None else "none"
    return f"{shown:,.0f}" if shown == n else f"about {shown:,.0f}"


def _parts(icbs, patients, practices) -> str:
    """Each ICB of a PCN with its patients as released (or its practices, without registrations)."""
    if sum(n or 0 for n in patients) > 0:
        return ", ".join(f"{i}: {_count(n)} patients" for i, n in zip(icbs, patients))
    return ", ".join(f"{i}: {n} practices" for i, n in zip(icbs, practices))


def _dates(dates) -> str:
    return ", ".join(f"{d:%d %b %Y}" for d in dates)


def _several_files(table: str) -> str:
    return f"SELECT count(DISTINCT source_file) > 1 FROM {table}"


#: Tables whose rows two files must not both hold (the same extract under two names, or two files of one month):
#: table, key, and how the overlap is named.
KEYED = (
    ("qof_prevalence", "period, practice_code, group_code", "any_value(a.period)"),
    ("qof_list_size", "period, practice_code, list_type", "any_value(a.period)"),
    ("patients_age_sex", "extract_date, practice_code, sex, age_band", "strftime(any_value(a.extract_date), '%d %b %Y')"),
    ("patients_lsoa", "extract_date, practice_code, lsoa_code", "strftime(any_value(a.extract_date), '%d %b %Y')"),
    ("service_usage", "org_type, org_code, period, measure", "any_value(a.period)"),
    ("practice_location", "practice_code", "'the same practices'"),
    ("practices", "practice_code", "'the same practices'"),
    ("context_measures", "source, level, org_code, measure, period_start, breakdown, imd_decile",
     "'the same areas and months'"),
)

#: Tables a file of another year could repeat figure for figure, and the columns compared.
FINGERPRINTED = (
    ("qof_prevalence", "practice_code, group_code, register, list_size"),
    ("qof_list_size", "practice_code, list_type, list_size"),
    ("patients_age_sex", "practice_code, sex, age_band, patients"),
    ("patients_lsoa", "practice_code, lsoa_code, patients"),
)

#: Register codes the product does not know written where a practice lacks a known register nearly every other
#: practice in the file has (a typo such as MHH for MH would take the practice out of that register's figures).
MISTYPED_REGISTERS = """
    WITH practices AS (SELECT source_file, count(DISTINCT practice_code) AS n FROM qof_prevalence GROUP BY ALL),
    common AS (
        SELECT q.source_file, q.group_code FROM qof_prevalence q JOIN practices USING (source_file)
        WHERE q.group_code IN (SELECT group_code FROM qof_registers)
        GROUP BY q.source_file, q.group_code, practices.n HAVING count(DISTINCT q.practice_code) >= 0.9 * practices.n
    )
    SELECT u.source_file, u.source_row, u.group_code, u.practice_code, list(c.group_code ORDER BY c.group_code) AS lacking
    FROM qof_prevalence u JOIN common c USING (source_file)
    WHERE u.group_code NOT IN (SELECT group_code FROM qof_registers)
      AND NOT EXISTS (SELECT 1 FROM qof_prevalence k WHERE k.source_file = u.source_file
                      AND k.practice_code = u.practice_code AND k.group_code = c.group_code)
    GROUP BY ALL"""

LSOAS_NOT_IN_IMD = """
    SELECT p.source_file, min(p.source_row) FILTER (WHERE i.lsoa_code IS NULL) AS source_row,
           count(*) FILTER (WHERE i.lsoa_code IS NULL) AS unknown, count(*) AS total,
           min(p.lsoa_code) FILTER (WHERE i.lsoa_code IS NULL) AS example
    FROM patients_lsoa p LEFT JOIN (SELECT DISTINCT lsoa_code FROM imd) i USING (lsoa_code)
    WHERE p.lsoa_code NOT LIKE 'NO%' AND p.lsoa_code NOT LIKE 'W%' GROUP BY p.source_file"""
BOTH_LSOA_FILES = "SELECT (SELECT count(*) FROM imd) > 0 AND (SELECT count(*) FROM patients_lsoa) > 0"

CROSS_FILE: tuple[Rule, ...] = (
    Rule("error", None, "SELECT '(all files)', NULL WHERE NOT EXISTS (SELECT 1 FROM practice_mapping)",
         lambda: "no practice-to-PCN mapping was found (a QOF MAPPING_NHS_GEOGRAPHIES file or the ePCN list); PCN "
                 "profiles cannot be built without it.", stop=True),
    # The same extract for the same period in two files (for the registrations' practice map, the same month: of
    # two months of one year, the one nearest 31 March is used, said in BUILT); two kinds of mapping for one year
    # are resolved by precedence (sql/intermediate/practice_pcn.sql), said here.
    Rule("error", None, """
        SELECT a.source_file, NULL, min(b.source_file), any_value(a.period)
        FROM practice_mapping a JOIN practice_mapping b USING (period, practice_code)
        WHERE a.source_file > b.source_file AND a.mapping_source = b.mapping_source
          AND a.extract_date IS NOT DISTINCT FROM b.extract_date
        GROUP BY a.source_file ORDER BY 1""",
         lambda other, period: f"holds the same data as {other} for {period}; keep one of them."),
    Rule("warning", None, """
        SELECT min(source_file), NULL, period, list(DISTINCT source_file || ' (' || mapping_source || ')'
                                                     ORDER BY source_file || ' (' || mapping_source || ')')
        FROM practice_mapping GROUP BY period HAVING count(DISTINCT mapping_source) > 1 ORDER BY period""",
         lambda period, files: f"{' and '.join(files)} both map practices to PCNs for {period}; one is used, in "
                               "this order: the QOF mapping, the registrations' practice map, ePCN."),
    *(Rule("error", None, f"""
        SELECT a.source_file, NULL, min(b.source_file), {what}
        FROM {table} a JOIN {table} b ON ({' AND '.join(f'a.{k} IS NOT DISTINCT FROM b.{k}' for k in key.split(', '))})
        WHERE a.source_file > b.source_file GROUP BY a.source_file ORDER BY 1""",
           lambda other, period: f"holds the same data as {other} for {period}; keep one of them (loading both "
                                 "would count it twice).", when=_several_files(table))
      for table, key, what in KEYED),
    *(Rule("error", None, f"""
        WITH prints AS (SELECT source_file, count(*) AS n, bit_xor(hash({columns})) AS print FROM {table}
                        GROUP BY source_file)
        SELECT a.source_file, NULL, min(b.source_file) FROM prints a JOIN prints b USING (n, print)
        WHERE a.source_file > b.source_file AND a.n > 20 GROUP BY a.source_file ORDER BY 1""",
           lambda other: f"holds exactly the same figures as {other}, under another year; keep the file of the right "
                         "year only.", when=_several_files(table))
      for table, columns in FINGERPRINTED),
    Rule("warning", "PRACTICE_LIST_SIZE", """
        SELECT p.source_file, min(p.source_row), p.practice_code, p.list_type,
               list(DISTINCT p.list_size ORDER BY p.list_size), any_value(l.list_size)
        FROM qof_prevalence p LEFT JOIN qof_list_size l
          ON l.period = p.period AND l.practice_code = p.practice_code AND l.list_type = p.list_type
        WHERE p.list_size IS NOT NULL GROUP BY p.source_file, p.period, p.practice_code, p.list_type
        HAVING count(DISTINCT p.list_size) > 1 OR bool_or(l.list_size IS NOT NULL AND l.list_size <> p.list_size)""",
         lambda practice, list_type, sizes, listed: (
             f"practice {practice}'s {list_type} list is written as {', '.join(_count(s) for s in sizes)}"
             f"{f' and {_count(listed)} in the list-size file' if listed is not None else ''} (several values); each "
             "register uses the list "
             "on its own row."),
         more="practices whose list of one type is written differently."),
    # A register larger than the list it is a share of: published so for some special practices (e.g. a
    # learning-disability home whose list is almost all on the register) and counted in England's figures, so
    # kept in every sum and reported.
    Rule("warning", "REGISTER", """
        SELECT source_file, source_row, register, denominator, group_code, list_type
        FROM qof_register_denominator WHERE register > denominator""",
         lambda register, size, group, list_type: (
             f"the {group} register ({_count(register)}) is larger than the practice's {list_type} list "
             f"({_count(size)}); kept "
             "as published (it counts in every sum), but check the practice."),
         more="registers above their list size, kept as published."),
    # A register that is 0 for every practice in a file: a blanked or broken extract, not a real year.
    Rule("warning", "REGISTER", """
        SELECT source_file, NULL, group_code FROM qof_prevalence GROUP BY source_file, group_code
        HAVING count(register) > 0 AND max(register) = 0 ORDER BY 1, 3""",
         lambda group: f"the {group} register is 0 for every practice in the file; check that the extract is "
                       "complete (its prevalence shows as 0%)."),
    Rule("error", "GROUP_CODE", MISTYPED_REGISTERS,
         lambda group, practice, lacking: (
             f"register code {group[:20]} is not a QOF register this tool knows, and practice {practice} has no "
             f"{', '.join(lacking)} row, which nearly every other practice has: a mistyped code? Correct it so the "
             "practice counts in that register."),
         more="unknown register codes in place of known ones."),
    Rule("warning", "GROUP_CODE", f"""
        WITH mistyped AS ({MISTYPED_REGISTERS})
        SELECT min(source_file), min(source_row), group_code FROM qof_prevalence
        WHERE group_code NOT IN (SELECT group_code FROM qof_registers) GROUP BY group_code
        HAVING (min(source_file), group_code) NOT IN (SELECT (source_file, group_code) FROM mistyped) ORDER BY 3""",
         lambda group: f"register code {group[:20]} is not a QOF register this tool knows; it is kept but not "
                       "described."),
    *(Rule("warning", "PRACTICE_CODE", f"""
        SELECT source_file, min(source_row), count(DISTINCT practice_code), min(practice_code)
        FROM {table} t
        WHERE t.period IN (SELECT period FROM practice_mapping)
          AND NOT EXISTS (SELECT 1 FROM practice_mapping m WHERE m.period = t.period AND m.practice_code = t.practice_code)
        GROUP BY source_file ORDER BY 1""",
           lambda n, example: f"{n:,} practice codes (such as {example}) are not in the practice-to-PCN mapping for the "
                              "same year; their patients count in England's figures, and in an ICB's or PCN's only where today's mapping "
                              "places them (every year is shown on today's geography).")
      for table in ("qof_prevalence", "qof_list_size", "patients_age_sex", "patients_lsoa")),
    *(Rule("warning", None, f"""
        SELECT min(source_file), NULL, period FROM {table}
        WHERE period NOT IN (SELECT period FROM practice_mapping) GROUP BY period ORDER BY period""",
           lambda period: f"no practice-to-PCN mapping was loaded for {period}; the nearest year's mapping is used "
                          "for it.")
      for table in ("qof_prevalence", "patients_age_sex", "patients_lsoa", "service_usage")),
    # The ODS practice list (epraccur) has no date of its own: said, with what its content implies; and the
    # practices in the data it lists as closed or not GP practices (prescribing setting other than 4) flagged.
    Rule("warning", None, """
        SELECT source_file, NULL, max(greatest(open_date, close_date, join_date)) FROM practices
        GROUP BY source_file ORDER BY 1""",
         lambda latest: "this ODS practice list carries no date in its name or rows; its latest open, close or join "
                        f"date is {latest:%d %b %Y}, so it describes practices as at about then."),
    *(Rule("warning", column, f"""
        SELECT min(o.source_file), NULL, count(DISTINCT m.practice_code),
               list(DISTINCT m.practice_code ORDER BY m.practice_code)[1:5]
        FROM practice_mapping m JOIN practices o USING (practice_code) WHERE {where} HAVING count(*) > 0""",
           lambda n, examples, what=what: f"{n:,} practices in the mapping (such as {', '.join(examples)}) are {what} "
                                          "in the ODS list; their figures are kept as published.")
      for what, where, column in (("closed (status C) or dormant (D)", "o.status IN ('C', 'D')", "Status Code"),
                                  ("not GP practices by their prescribing setting (not 4)", "o.setting <> '4'",
                                   "Prescribing Setting"))),
    # LSOA codes that are not in the IMD (2011 codes): most often 2021 codes against IMD 2019.
    Rule("error", "LSOA_CODE", f"SELECT source_file, source_row, unknown, total, example FROM ({LSOAS_NOT_IN_IMD}) "
                               "WHERE unknown > total / 2 ORDER BY 1",
         lambda unknown, total, example: (
             f"{unknown:,} of {total:,} LSOA codes (such as {example}) are in no index of deprivation loaded. IMD 2019 "
             "uses 2011 LSOA codes and IMD 2025 2021 codes; load the index of the edition this file's LSOAs are "
             "(IMD 2025 for 2021 LSOAs)."), when=BOTH_LSOA_FILES),
    Rule("warning", "LSOA_CODE", f"SELECT source_file, source_row, unknown, example FROM ({LSOAS_NOT_IN_IMD}) "
                                 "WHERE unknown > 0 AND unknown <= total / 2 ORDER BY 1",
         lambda unknown, example: f"{unknown:,} rows have LSOA codes (such as {example}) that are not in the IMD "
                                  "file; those patients have no deprivation score.", when=BOTH_LSOA_FILES),
    # Service-usage codes by organisation type, and measures the indicator definitions do not describe.
    Rule("error", "ORG_TYPE", """
        SELECT min(source_file), min(source_row), org_type FROM service_usage
        WHERE org_type NOT IN ('practice', 'pcn', 'sub_icb', 'icb', 'england') GROUP BY org_type ORDER BY 3""",
         lambda org_type: f"'{org_type}' is not an organisation type this tool knows (practice, pcn, sub_icb, icb "
                          "or england)."),
    Rule("warning", "MEASURE", """
        SELECT min(source_file), min(source_row), measure FROM service_usage
        WHERE measure NOT IN (SELECT measure FROM service_measures) GROUP BY measure ORDER BY 3""",
         lambda measure: f"measure '{measure}' is not one of the svc_ indicators of data/indicators.csv; it is kept "
                         "but shown without a description."),
    Rule("error", "NUMERATOR", """
        SELECT source_file, source_row, numerator, denominator FROM service_usage
        WHERE denominator IS NOT NULL AND numerator > denominator""",
         lambda numerator, denominator: f"the numerator ({numerator:,}) is larger than the denominator "
                                        f"({denominator:,}); a proportion cannot exceed 100%.",
         more="rows whose numerator is larger than the denominator."),
)


#: The publisher's organisation levels in a registrations file, and the practice_pcn column each sums by.
PUBLISHED_LEVELS = {"PCN": "pcn_code", "SUB_ICB_LOCATION_CODE": "sub_icb_code", "ICB": "icb_code",
                    "COMM REGION": "region_code"}
REGISTRATIONS = {"patients_age_sex": "registrations by age and sex", "patients_lsoa": "registrations by LSOA"}
#: The monthly extracts of which one month stands for each year (sql/staging/extract_dates.sql).
MONTHLY = {**REGISTRATIONS, "practice_mapping": "the registrations' practice map"}

BUILT: tuple[Rule, ...] = (
    Rule("warning", "LSOA_CODE", """
        SELECT source_file, NULL, lsoa_edition, coalesce(matched_codes, 0), codes FROM patients_lsoa_edition
        WHERE NOT marked ORDER BY 1""",
         lambda edition, matched, codes: (
             f"no row marks patients without an LSOA (NO2011 or NO2021), so its LSOAs are taken as {edition} LSOAs, "
             f"the edition of the index most of its codes are in ({matched:,} of {codes:,} codes); an index of the "
             "other edition is not applied to it.")),
    # One geography across years (sql/intermediate/practice_pcn.sql): practices of earlier years that today's
    # mapping does not hold.
    Rule("warning", None, """
        SELECT '(geography)', NULL, count(DISTINCT practice_code), count(DISTINCT practice_code) FILTER (WHERE icb_code IS NULL),
               min(practice_code), (SELECT max(period) FROM practice_mapping)
        FROM practice_pcn WHERE not_mapped_today HAVING count(*) > 0""",
         lambda n, england_only, example, today: (
             f"every year is shown on today's geography (the latest mapping loaded, {today}); {n:,} practices with "
             f"figures in earlier years (such as {example}) are not in it (closed or merged): they count in England "
             "and in today's ICB of their last known sub-ICB location" +
             (f", {england_only:,} of them in England only (their sub-ICB location no longer exists or is not known)."
              if england_only else "."))),
    *(Rule("warning", "EXTRACT_DATE", f"""
        SELECT min(p.source_file), NULL, s.period, s.source_period, s.extract_date
        FROM population_source s JOIN {dataset} p ON p.period = s.source_period AND p.extract_date = s.extract_date
        WHERE s.dataset = ? AND s.period <> s.source_period GROUP BY ALL ORDER BY 3""",
           lambda period, source_period, extract_date, what=what: (
               f"there are no {what} for {period}; the nearest year's, {extract_date:%d %b %Y} ({source_period}), is "
               "used for it."), params=(dataset,))
      for dataset, what in REGISTRATIONS.items()),
    *(Rule("warning", "EXTRACT_DATE", f"""
        SELECT min(p.source_file), NULL, x.period, x.extract_date,
               list_filter(x.dates_in_data, lambda d: d <> x.extract_date)
        FROM extract_dates x JOIN {dataset} p ON p.period = x.period AND p.extract_date = x.extract_date
        WHERE x.dataset = ? AND len(x.dates_in_data) > 1 GROUP BY ALL ORDER BY 3""",
           lambda period, used, others, what=what: (
               f"{what} for {period}: the extract of {used:%d %b %Y} is used (the month nearest the year's end, 31 "
               f"March); {_dates(others)} left out."), params=(dataset,))
      for dataset, what in MONTHLY.items()),
    Rule("warning", None, """
        SELECT '(deprivation)', NULL, m.period, count(d.practice_code), count(*) FROM practice_pcn m
        LEFT JOIN practice_deprivation d USING (period, practice_code)
        WHERE m.period IN (SELECT period FROM practice_deprivation WHERE method = 'practice location')
        GROUP BY m.period ORDER BY 3""",
         lambda period, located, practices: (
             f"no registrations by LSOA for {period}: deprivation is that of each practice's own LSOA (from its "
             f"location), weighted by its patients; {located:,} of {practices:,} practices placed, "
             f"{practices - located:,} without a location or LSOA left out.")),
    Rule("warning", None, """
        SELECT '(mapping)', NULL, period, pcn_code, icbs, list_transform(icb_patients, lambda n: n::BIGINT),
               icb_practices
        FROM pcn_icb WHERE len(icbs) > 1
        QUALIFY row_number() OVER (PARTITION BY pcn_code ORDER BY period DESC) = 1""",
         lambda period, pcn, icbs, patients, practices: (
             f"PCN {pcn} has practices in {len(icbs)} ICBs in {period} ({_parts(icbs, patients, practices)}); it is "
             f"shown under {icbs[0]}, which holds most of its list (each year is on today's geography). Each "
             "practice counts in its own ICB's figures."),
         more="PCNs with practices in two ICBs, each shown under the ICB holding most of its list."),
    *(Rule("warning", "NUMBER_OF_PATIENTS", f"""
        WITH published AS (
            SELECT r.period, r.extract_date, r.org_code, sum(r.patients) AS patients, min(r.source_file) AS file,
                   min(r.source_row) AS source_row
            FROM published_registrations r
            JOIN extract_dates x ON x.dataset = 'patients_age_sex' AND x.period = r.period
                 AND x.extract_date = r.extract_date
            WHERE r.org_type = ? AND r.sex NOT IN ('ALL', 'PERSONS') AND r.age_band <> 'ALL' AND r.org_code <> 'U'
            GROUP BY ALL
        ), summed AS (
            SELECT p.period, m.own_{column} AS org_code, sum(p.patients) AS patients
            FROM patients_age_sex p
            JOIN extract_dates x ON x.dataset = 'patients_age_sex' AND x.period = p.period
                 AND x.extract_date = p.extract_date
            JOIN practice_pcn m ON m.period = p.period AND m.practice_code = p.practice_code
            GROUP BY ALL
        )
        SELECT p.file, p.source_row, p.org_code, p.extract_date, p.patients, coalesce(s.patients, 0)
        FROM published p LEFT JOIN summed s USING (period, org_code)
        WHERE p.patients IS DISTINCT FROM s.patients""",
           lambda code, extract_date, published, summed, level=level: (
               f"the publisher's total for {level} {code} on {extract_date:%d %b %Y} ({_count(published)}) differs from "
               f"the sum of its practices ({_count(summed)}) under that year's own practice-to-PCN mapping; the practice rows "
               "are used."),
           more=f"{level} totals that differ from the sum of their practices.", params=(level,))
      for level, column in PUBLISHED_LEVELS.items()),
)
