"""Files to take away: the workforce plan as XLSX and as a printable one-page HTML plan, chart PNGs and a PCN's
slide pack."""

from __future__ import annotations

import atexit
import html
import io
import re
import threading
from dataclasses import asdict

import pandas as pd

from . import suppression
from .workforce import Assumptions

MONEY = ["employment_cost", "pcn_contribution", "arrs_reimbursement", "net_pcn_cost", "provider_share",
         "cost_per_wte", "cap_per_wte", "arrs_envelope"]

#: Readable headers (with units where a column has one) for the columns the product's frames share; a column not
#: listed is written with its words spaced ("need_wte" -> "Need (WTE)").
HEADERS = {
    "pcn_code": "PCN code", "pcn_name": "PCN", "icb_code": "ICB code", "period": "Year", "label": "Indicator",
    "kind": "Kind", "numerator": "Numerator", "denominator": "Denominator", "value": "Value",
    "lower_95": "Lower 95%", "upper_95": "Upper 95%", "lower_998": "Lower 99.8%", "upper_998": "Upper 99.8%",
    "icb_value": "ICB", "england_value": "England", "vs_icb": "Compared with ICB",
    "vs_england": "Compared with England", "indicator": "Indicator code", "funnel": "Funnel (ICB)",
    "file_name": "File", "row_count": "Rows", "warnings": "Warnings", "loaded_at": "Loaded",
    "checksum_sha256": "Checksum (SHA-256)", "severity": "Severity", "file": "File", "row": "Row",
    "column": "Column", "message": "Message", "condition": "Condition", "sex": "Sex", "age_from": "From age",
    "age_to": "To age", "age_band": "Age band", "expected_percent": "Expected (%)", "source": "Source",
    "domain": "Domain", "unit": "Unit", "polarity": "Polarity", "numerator_definition": "Numerator definition",
    "denominator_definition": "Denominator definition", "method": "Method", "patients": "Patients", "share": "Share (%)",
    "quintile": "IMD quintile (1 = most deprived)", "area": "Area", "register_name": "Register",
    "group_code": "Register code", "register": "Register (patients)", "prevalence": "Prevalence (%)",
    "england_prevalence": "England prevalence (%)", "ltc_rank": "Rank", "mental_health": "Mental-health register",
    "x": "Across (x)", "y": "Up (y)", "line": "Line", "imd_decile": "IMD decile (1 = most deprived)",
    "recovery": "Recovery (%)", "imd": "IMD (score, or rank)", "age_65_plus": "Aged 65+ (%)",
    "under_18_share": "Aged under 18 (%)", "imd_q1_share": "Most deprived quintile (%)", "distance": "Distance (standardised)",
    "similar_value": "Similar PCNs", "share_of_entitlement": "In post (% of entitlement)",
    "in_post_wte": "In post (WTE)", "first_start": "First MHP start", "status": "Status", "practices": "Practices",
    "sii": "Slope index of inequality", "role": "Role", "band": "AfC band", "year": "Year", "rule": "Rule",
}
#: Columns that are the product's own workings, not figures a reader needs.
INTERNAL = ("multiplier", "sort_order", "decimals", "short_label")
#: Indicator figures written to their indicator's decimals (the ``decimals`` column of the frame).
INDICATOR_FIGURES = ("value", "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value")


def header(column: str) -> str:
    """A column's readable header; a column already written for people (capitals or spaces) is left as it is."""
    if not re.fullmatch(r"[a-z0-9_]+", str(column)):
        return column
    if column in HEADERS:
        return HEADERS[column]
    if column in MONEY:
        return column.replace("_per_wte", " per WTE").replace("_", " ").capitalize() + " (£)"
    if column.endswith("_wte"):
        return column[:-4].replace("_", " ").capitalize() + " (WTE)"
    return column.replace("_", " ").capitalize()


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as a person reads it in a file: readable headers with units, codes kept beside labels, the
    product's workings left out, indicator figures to their indicator's decimals, WTE to 1 decimal, money in
    whole pounds and other fractions to 2 decimals (no 15-decimal floats)."""
    out = frame.drop(columns=[c for c in INTERNAL if c in frame])
    if "decimals" in frame:
        for column in INDICATOR_FIGURES:
            if column in out:
                out[column] = [round(v, int(d)) if pd.notna(v) and pd.notna(d) else v
                               for v, d in zip(out[column], frame["decimals"])]
    for column in out.columns:
        if (column in INDICATOR_FIGURES and "decimals" in frame) or not pd.api.types.is_float_dtype(out[column]):
            continue
        out[column] = out[column].round(0 if column in MONEY else 1 if column.endswith("_wte") else 2)
        whole = out[column].dropna()
        if column in (*suppression.COUNTS, *MONEY) and len(whole) and (whole == whole.round()).all():
            out[column] = out[column].astype("Int64")  # counts and pounds as whole numbers, not 660.0
    return out.rename(columns=header)

#: Debian's chromium, which draws the chart images (kaleido) and prints the one-page profile (Playwright).
CHROMIUM = "/usr/bin/chromium"

#: A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would run as a formula starts with an apostrophe
    (OWASP's advice for CSV injection): names from files such as '=HYPERLINK(...)' stay text. Numbers are not
    touched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    out.columns = [("'" + c if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV, safe to open in a spreadsheet."""
    return neutralise(frame).to_csv(index=False).encode()


def tidy_csv(frame: pd.DataFrame) -> bytes:
    """A frame as the CSV a page offers: tidy (readable headers, sensible decimals) and safe to open."""
    return csv_bytes(tidy(frame))


def _text_only(book) -> None:
    """No cell of a workbook written from data is a formula: openpyxl writes any text starting with '=' as one."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


#: Rows above a sheet's table: its title, the source and suppression note, a blank row. Read a sheet back with
#: ``pd.read_excel(..., header=XLSX_HEADER_ROW)``.
XLSX_HEADER_ROW = 3


def _sheet(writer, name: str, frame: pd.DataFrame, title: str, note: str) -> None:
    """One sheet: a title row, a source and suppression note, then the table with a bold, frozen header, number
    formats by column (£, WTE to 1 decimal, whole counts with separators) and widths that fit."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    neutralise(frame).to_excel(writer, sheet_name=name, index=False, startrow=XLSX_HEADER_ROW)
    sheet = writer.sheets[name]
    sheet["A1"], sheet["A2"] = title, note
    sheet["A1"].font, sheet["A2"].font = Font(bold=True, size=14), Font(italic=True, color="425563")
    sheet.freeze_panes = sheet.cell(row=XLSX_HEADER_ROW + 2, column=1)
    for i, column in enumerate(frame.columns, 1):
        sheet.cell(row=XLSX_HEADER_ROW + 1, column=i).font = Font(bold=True)
        values = frame[column]
        number = ("£#,##0" if "(£)" in str(column) else "0.0" if "(WTE)" in str(column)
                  else "#,##0" if pd.api.types.is_integer_dtype(values)
                  else "#,##0.00" if pd.api.types.is_float_dtype(values) else None)
        if number:
            for row in range(XLSX_HEADER_ROW + 2, XLSX_HEADER_ROW + 2 + len(frame)):
                sheet.cell(row=row, column=i).number_format = number
        longest = max([len(str(column)), *(len(str(v)) for v in values.head(200))])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)


def suppression_note(suppress: bool) -> str:
    return ("Small-number suppression on: counts of 1-7 hidden, others rounded to the nearest 5." if suppress
            else "Small-number suppression OFF: exact counts, not for publication.")


def _note(suppress: bool) -> str:
    return ("Source: phm-profile from NHS England / NHS Digital extracts and the published figures named in each "
            "row. " + suppression_note(suppress))


def plan_xlsx(plan: pd.DataFrame, assumptions: Assumptions, inputs: pd.Series, rates: pd.DataFrame,
              suppress: bool = True, title: str = "MHP workforce plan") -> bytes:
    """Sheets: Plan (per year and role, with the source of its money), Assumptions (value and meaning), Inputs
    (the PCN's figures, small numbers suppressed when ``suppress``), Money (``rates``: each figure per WTE with
    whether it is published and its source)."""
    from .workforce import plan_table

    plan = plan_table(plan).assign(**{"Source of the money": plan.money_source.to_numpy()}) \
        if "money_source" in plan else plan
    if suppress:
        inputs = suppression.protect(inputs.to_frame().T).iloc[0]
    described = Assumptions.descriptions()
    table = pd.DataFrame([{"assumption": k, "value": v, "meaning": described.get(k, "")}
                          for k, v in asdict(assumptions).items()])
    note = _note(suppress)
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        _sheet(writer, "Plan", plan, title, note)
        _sheet(writer, "Assumptions", table, f"{title}: assumptions", "Each can be changed on screen; its meaning "
               "and source beside it.")
        _sheet(writer, "Inputs", inputs.rename("value").to_frame().rename_axis("input").reset_index(),
               f"{title}: the PCN's figures it is worked from", note)
        _sheet(writer, "Money", rates, f"{title}: money per WTE", "Each figure published (with its source) or "
               "derived from published figures (an assumption, so marked).")
        _text_only(writer.book)
    return out.getvalue()


#: The overview grid's export: every PCN and indicator with its value, interval and both comparisons.
GRID_COLUMNS = ["pcn_code", "pcn_name", "icb_code", "indicator", "label", "unit", "numerator", "denominator", "value",
                "lower_95", "upper_95", "icb_value", "england_value", "vs_icb", "vs_england", "decimals"]


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The overview grid as one tidy table (a row per PCN and indicator), for CSV and XLSX."""
    return tidy(grid[GRID_COLUMNS])


def grid_xlsx(grid: pd.DataFrame, title: str, suppress: bool) -> bytes:
    """The overview grid as one sheet: title, source and suppression note, a row per PCN and indicator."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        _sheet(writer, "Overview", grid_table(grid), title, _note(suppress) + " Comparisons at 95%.")
        _text_only(writer.book)
    return out.getvalue()


def allocation_xlsx(table: pd.DataFrame, assumptions: Assumptions, pool: float, step: float,
                    title: str = "MHP allocation across the ICB's PCNs", suppress: bool = True) -> bytes:
    """Sheets: Allocation (readable headers), Assumptions (value, meaning and source), Method (pool, step, rule)."""
    described = Assumptions.descriptions()
    assumed = pd.DataFrame([{"assumption": k, "value": v, "meaning and source": " ".join(described.get(k, "").split())}
                            for k, v in asdict(assumptions).items()])
    method = pd.DataFrame({"item": ["Pool (WTE)", "Rounded to (WTE)", "Method"],
                           "value": [pool, step, "Shared in proportion to need-weighted population by the largest "
                                                 "remainder method (the total is exactly the pool), no PCN below "
                                                 "its floor."]})
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        _sheet(writer, "Allocation", table, title, _note(suppress))
        _sheet(writer, "Assumptions", assumed, f"{title}: need assumptions", "Each can be changed on screen.")
        _sheet(writer, "Method", method, f"{title}: method", "How the pool is shared.")
        _text_only(writer.book)
    return out.getvalue()


def plan_html(title: str, subtitle: str, plan: pd.DataFrame, assumptions: Assumptions, summary: list[str]) -> str:
    """A one-page plan to print (A4 landscape), with the assumptions it rests on."""
    from .workforce import PLAN_COLUMNS, plan_table

    shown = plan_table(plan).drop(columns=[PLAN_COLUMNS["rule"][0]])
    for column in shown.columns:
        if "(£)" in column:
            shown[column] = shown[column].map(lambda v: "–" if pd.isna(v) else f"£{v:,.0f}")
        elif "(WTE)" in column or "(%)" in column:
            shown[column] = shown[column].map(lambda v: "–" if pd.isna(v) else f"{v:,.1f}")
    items = "".join(f"<li>{html.escape(s)}</li>" for s in summary)
    assumed = "".join(f"<tr><td>{html.escape(k.replace('_', ' '))}</td><td>{v:g}</td></tr>"
                      for k, v in asdict(assumptions).items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>@page {{ size: A4 landscape; margin: 12mm; }} body {{ font-family: Arial, sans-serif; font-size: 10pt; }}
h1 {{ color: #005EB8; font-size: 16pt; margin: 0; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #AEB7BD; padding: 2px 5px; text-align: right; }} th {{ background: #E8EDEE; }}
.cols {{ display: flex; gap: 16px; }}</style></head><body>
<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p><ul>{items}</ul>
{shown.to_html(index=False, escape=True)}
<div class="cols"><div><h3>Assumptions</h3><table>{assumed}</table></div>
<div><h3>Rules</h3><p>ARRS Mental Health Practitioners: 1 WTE (2021/22), 2 (2022/23), 3 (2023/24) for PCNs under
100,000 patients, double at 100,000 or more; one adult and older adults' and one children and young people's role.
Caps on MHP numbers were removed in 2023/24 (the guide's WTE stays as a reference); from 2024/25 the limit is the
PCN's ARRS envelope (weighted population x GBP a head). The PCN pays 50% of salary and employer on-costs,
reimbursable through the ARRS up to the band maximum; the mental-health provider pays the rest; from 2026/27
(provisional) further MHPs may be reimbursed up to 100% under a written agreement. Money: Agenda for Change pay,
employer NI and pension, ARRS caps and GBP a head as published (FACTS.md), the rest derived and marked as
assumptions.</p></div></div></body></html>"""


_KALEIDO = threading.Lock()
_kaleido_started = False


def figure_png(figure, width: int = 1100, height: int = 620) -> bytes:
    """A plotly figure as PNG (kaleido, drawn by the machine's own headless Chromium; nothing is fetched). The
    first picture starts one Chromium that later pictures reuse (each would otherwise start its own: ~2 s)."""
    global _kaleido_started
    import kaleido

    with _KALEIDO:
        if not _kaleido_started:
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _kaleido_started = True
        return figure.to_image(format="png", width=width, height=height, scale=1)


#: A slide's picture area in pixels (at 100 per inch: 12 x 5.4 inches below the title) and its chart text size.
SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX, SLIDE_FONT_PX = 1200, 540, 16


def slide_figure(figure):
    """A copy of a chart laid out for a slide: plotly's white template, text at SLIDE_FONT_PX, margins that keep
    every label inside, and the chart's own height where it needs more room than the slide (it is scaled to
    fit when placed)."""
    import plotly.graph_objects as go

    fig = go.Figure(figure)
    fig.update_layout(template="plotly_white", font=dict(family="Arial, sans-serif", size=SLIDE_FONT_PX,
                                                         color="#231F20"),
                      width=SLIDE_WIDTH_PX, height=max(SLIDE_HEIGHT_PX, int(figure.layout.height or 0)),
                      margin=dict(l=30, r=40, t=max(60, (figure.layout.margin.t or 0)), b=40))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


#: The slides' text boxes (inches on a 13.333 x 7.5 in slide) and sizes (points). Each box is sized for its text
#: at these sizes: a slide's text is never shrunk or cut off by the program that shows it
#: (tests/test_slides.py renders the pack in LibreOffice and checks every word is on its slide).
SLIDE_MARGIN, SLIDE_WIDTH = 0.6, 12.133
TITLE_TOP, TITLE_HEIGHT, TITLE_PT = 0.3, 0.95, 28
BODY_TOP, BODY_BOTTOM = 1.4, 6.8
SUMMARY_PT = (20, 18, 16, 14, 12)


def _lines(text: str, points: float, width_in: float) -> int:
    """How many lines ``text`` takes at ``points`` in a box ``width_in`` inches wide, reckoned generously (an
    average character at 0.55 em: wider than Arial's or DejaVu Sans's) so that a box is never too small."""
    per_line = max(int(width_in * 72 / (points * 0.55)), 1)
    words, lines, used = text.split(), 1, 0
    for word in words:
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def _text_box(slide, text: str | list[str], left: float, top: float, width: float, height: float, points: float,
              bold: bool = False, colour: str = "231F20", bullets: bool = False):
    """A text box of paragraphs at one size, wrapped in its width, never resized or shrunk by the viewer."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    for i, line in enumerate([text] if isinstance(text, str) else text):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = f"• {line}" if bullets else line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(points), bold, RGBColor.from_string(colour)
        if bullets:
            paragraph.space_after = Pt(points * 0.4)
    return frame


def _slide_title(slide, text: str) -> None:
    """The slide's title in its placeholder (what a screen reader and the outline read), set to one size and
    place on every slide; a title too long for one line at TITLE_PT takes a smaller size, never a third line."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    title.left, title.top = Inches(SLIDE_MARGIN), Inches(TITLE_TOP)
    title.width, title.height = Inches(SLIDE_WIDTH), Inches(TITLE_HEIGHT)
    title.text = text
    frame = title.text_frame
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    points = next((p for p in (TITLE_PT, 24, 20) if _lines(text, p, SLIDE_WIDTH - 0.2) <= 1), 20)
    for run in frame.paragraphs[0].runs:
        run.font.size, run.font.bold = Pt(points), True


def slide_pack(title: str, subtitle: str, summary: list[str], figures: list[tuple[str, object]],
               plan: pd.DataFrame | None = None, source: str = "") -> bytes:
    """A PPTX slide pack for a PCN: a title slide with the summary, one slide per figure (drawn for the slide by
    slide_figure, with ``source`` beneath it), and the workforce plan as a table. Every text is in a box sized
    for it (SLIDE_* above), so that it shows whole in PowerPoint, Keynote and LibreOffice alike."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title_only = deck.slide_layouts[5]
    first = deck.slides.add_slide(title_only)
    _slide_title(first, title)
    _text_box(first, subtitle, SLIDE_MARGIN, TITLE_TOP + TITLE_HEIGHT, SLIDE_WIDTH, 0.5, 18, colour="5C5F66")
    top = TITLE_TOP + TITLE_HEIGHT + 0.7
    room = BODY_BOTTOM - top
    points = next((p for p in SUMMARY_PT  # the largest size at which every sentence fits
                   if sum(_lines(f"• {s}", p, SLIDE_WIDTH - 0.2) for s in summary) * p * 1.2 / 72
                   + len(summary) * p * 0.4 / 72 <= room), SUMMARY_PT[-1])
    _text_box(first, summary, SLIDE_MARGIN, top, SLIDE_WIDTH, room, points, bullets=True)

    def source_line(slide):
        _text_box(slide, source, SLIDE_MARGIN, 6.95, SLIDE_WIDTH, 0.4, 10, colour="5C5F66")

    for heading, figure in figures:
        slide = deck.slides.add_slide(title_only)
        _slide_title(slide, heading)
        drawn = slide_figure(figure)
        width, height = drawn.layout.width, drawn.layout.height
        room = BODY_BOTTOM - BODY_TOP
        scale = min(SLIDE_WIDTH / (width / 100), room / (height / 100))
        slide.shapes.add_picture(io.BytesIO(figure_png(drawn, width, height)),
                                 Inches(SLIDE_MARGIN + (SLIDE_WIDTH - width / 100 * scale) / 2), Inches(BODY_TOP),
                                 width=Inches(width / 100 * scale), height=Inches(height / 100 * scale))
        if source:
            source_line(slide)
    if plan is not None and len(plan):
        slide = deck.slides.add_slide(title_only)
        _slide_title(slide, f"MHP workforce plan {plan.year.iloc[0]}: {title}" if "year" in plan else
                     f"MHP workforce plan: {title}")
        from .workforce import PLAN_COLUMNS

        widths = {"year": 0.9, "role": 1.5, "band": 0.75, "entitlement_wte": 1.3, "need_wte": 0.9,
                  "suggested_wte": 1.05, "employment_cost": 1.05, "pcn_contribution": 1.25, "arrs_reimbursement": 1.55,
                  "net_pcn_cost": 0.95, "provider_share": 0.95}  # 12.15 in: a header's longest word fits its column
        columns = list(widths)
        shape = slide.shapes.add_table(len(plan) + 1, len(columns), Inches(SLIDE_MARGIN), Inches(BODY_TOP),
                                       Inches(sum(widths.values())), Inches(0.4) * (len(plan) + 1))
        for j, column in enumerate(columns):
            shape.table.columns[j].width = Inches(widths[column])
            shape.table.cell(0, j).text = PLAN_COLUMNS[column][0]
            shape.table.cell(0, j).text_frame.paragraphs[0].runs[0].font.size = Pt(10)
        for i, row in enumerate(plan[columns].itertuples(index=False), 1):
            for j, value in enumerate(row):
                text = f"£{value:,.0f}" if columns[j] in MONEY else (f"{value:.1f}" if isinstance(value, float) else str(value))
                shape.table.cell(i, j).text = text
                shape.table.cell(i, j).text_frame.paragraphs[0].runs[0].font.size = Pt(11)
        if source:
            source_line(slide)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def source_note(period: str, suppress: bool, demo: bool = False) -> str:
    """The line under every slide and printed page: where the figures come from and whether they are suppressed."""
    data = "Synthetic demo data (made up)" if demo else (
        f"NHS England QOF {period}, NHS Digital registrations, the English Indices of Deprivation (MHCLG; the edition named on each chart) and the service data loaded")
    return f"Source: {data}; phm-profile. {suppression_note(suppress)}"


def profile_html(title: str, subtitle: str, tiles: pd.DataFrame, summary: list[str], spine, source: str) -> str:
    """The one-page profile as a self-contained A4 page: the headline tiles, the summary, the compact spine chart
    (drawn by plotly.js embedded in the page, nothing fetched) and the source line."""
    chart = slide_figure(spine)
    chart.update_layout(width=None, height=None, font_size=12, autosize=True, margin=dict(l=10, r=20, t=50, b=10))
    drawn = chart.to_html(full_html=False, include_plotlyjs=True, config={"staticPlot": True},
                          default_width="100%", default_height="150mm")
    cards = "".join(f"<div class='tile'><div class='label'>{html.escape(str(r.short))}</div>"
                    f"<div class='value'>{html.escape(str(r.shown))}</div>"
                    f"<div class='note'>{html.escape(str(r.comparison or ''))}</div></div>" for r in tiles.itertuples())
    items = "".join(f"<li>{html.escape(s)}</li>" for s in summary)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>
@page {{ size: A4 portrait; margin: 12mm; }} body {{ font-family: Arial, sans-serif; font-size: 10pt; color: #231F20;
width: 186mm; margin: 0; }}
h1 {{ color: #005EB8; font-size: 17pt; margin: 0 0 2mm; }} .sub {{ color: #425563; margin: 0 0 4mm; }}
.tiles {{ display: flex; gap: 3mm; margin-bottom: 3mm; }} .tile {{ border: 1px solid #AEB7BD; padding: 2mm; flex: 1; }}
.label {{ font-size: 8.5pt; color: #425563; }} .value {{ font-size: 15pt; font-weight: bold; }}
.note {{ font-size: 8pt; color: #425563; }} ul {{ margin: 0 0 3mm; padding-left: 5mm; }}
.source {{ font-size: 8pt; color: #425563; }}
</style></head><body><h1>{html.escape(title)}</h1><p class="sub">{html.escape(subtitle)}</p>
<div class="tiles">{cards}</div><ul>{items}</ul>{drawn}<p class="source">{html.escape(source)}</p></body></html>"""


def profile_pdf(page_html: str, browser=None) -> bytes:
    """A page (profile_html) printed to PDF by the machine's own headless Chromium (Playwright; ``browser``: one
    already open)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            try:
                return profile_pdf(page_html, launched)
            finally:
                launched.close()
    tab = browser.new_page()
    try:
        tab.set_content(page_html, wait_until="load")
        tab.wait_for_selector(".main-svg")
        return tab.pdf(format="A4", print_background=True)
    finally:
        tab.close()


def pcn_slide_pack(sel, profile: pd.DataFrame, england_range: pd.DataFrame, league: pd.DataFrame,
                   inputs: pd.Series, assumptions: Assumptions, demo: bool = False) -> bytes:
    """The slide pack of the selected PCN (a ui.Selection) from the frames the page shows (queries.pcn_profile,
    england_range, the ICB's indicator_across_pcns of SMI prevalence and the PCN's workforce_inputs row, all
    suppressed as the page's are): summary, spine chart, league table and the MHP workforce plan (band 7 posts)
    under ``assumptions``."""
    from . import charts, workforce, wording
    from .money import current_year

    plan = workforce.workforce_plan(inputs, [current_year()], {}, {"adult": "7", "cyp": "7"}, None, assumptions)
    return slide_pack(
        f"{sel.pcn_name} ({sel.pcn_code})", f"Mental-health profile and MHP workforce, {sel.period}",
        wording.summary_sentences(profile),
        [("Spine chart: the PCN against England (mental-health domains)",
          charts.spine_chart(profile, england_range, compact=True)),
         ("SMI prevalence across the ICB's PCNs", charts.league_chart(league, sel.pcn_code))], plan,
        source=source_note(sel.period, sel.suppress, demo))


def pcn_profile_pdf(sel, profile: pd.DataFrame, england_range: pd.DataFrame, demo: bool = False) -> bytes:
    """The one-page PDF profile of the selected PCN from the frames the page shows."""
    from . import charts, wording

    return profile_pdf(profile_html(
        f"{sel.pcn_name} ({sel.pcn_code})",
        f"Mental-health profile, {sel.period}: compared with ICB {sel.icb_code} and England (95% intervals)",
        wording.headline(profile), wording.summary_sentences(profile),
        charts.spine_chart(profile, england_range, compact=True), source_note(sel.period, sel.suppress, demo)))


def area_profile_pdf(area: str, set_name: str, period: str, profile: pd.DataFrame, england_range: pd.DataFrame,
                     suppress: bool, demo: bool = False) -> bytes:
    """The one-page PDF profile of one of your own areas (queries.area_profile's rows for it), as a PCN's."""
    from . import charts, wording

    named = profile.assign(pcn_name=area)  # the summary names the place as it names a PCN
    return profile_pdf(profile_html(
        area, f"Your area ({set_name}), {period}: summed from its practices; compared with ICB "
              f"{profile.icb_code.iloc[0]} and England (95% intervals)",
        wording.headline(named), wording.summary_sentences(named),
        charts.spine_chart(named, england_range, compact=True), source_note(period, suppress, demo)))


def mhp_in_post_xlsx(table: pd.DataFrame, title: str, edition: str, caveats: tuple[str, ...],
                     assumptions: Assumptions, suppress: bool) -> bytes:
    """Sheets: In post (mhp.table_view: MHPs against entitlement and need), Caveats (the publisher's), Assumptions
    (of the need model)."""
    described = Assumptions.descriptions()
    assumed = pd.DataFrame([{"assumption": k, "value": v, "meaning and source": " ".join(described.get(k, "").split())}
                            for k, v in asdict(assumptions).items()])
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        _sheet(writer, "In post", table, title, f"MHPs in post: NHS England, PCN Workforce, {edition}. Staff FTE "
               "are not patient counts; " + _note(suppress))
        _sheet(writer, "Caveats", pd.DataFrame({"caveat": list(caveats)}), f"{title}: caveats",
               "What the publisher says of its figures.")
        _sheet(writer, "Assumptions", assumed, f"{title}: need assumptions", "Each can be changed on screen.")
        _text_only(writer.book)
    return out.getvalue()
