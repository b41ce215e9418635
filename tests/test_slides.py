"""The slide pack as a presenter sees it: rendered by LibreOffice Impress (Debian's libreoffice-impress, installed by
scripts/test.sh), every word of every slide is on its slide, whole (no word broken across lines or cut at an
edge), and no title runs into the chart beneath it; each slide is kept as a picture in tests/screenshots/."""

import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from browser import SCREENSHOTS

from phm_profile import database, exports, queries, workforce
from phm_profile.ui import Selection

TOOLS = {name: shutil.which(name) for name in ("soffice", "pdftotext", "pdftoppm")}
pytestmark = pytest.mark.skipif(not all(TOOLS.values()), reason="LibreOffice (libreoffice-impress) and poppler-utils "
                                                                 "are not installed")


def slide_texts(pptx: bytes) -> list[list[str]]:
    """Every word written on each slide (text boxes, titles and table cells), as python-pptx reads the file."""
    from pptx import Presentation

    slides = []
    for slide in Presentation(io.BytesIO(pptx)).slides:
        words = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                words += shape.text_frame.text.split()
            if shape.has_table:
                words += [w for row in shape.table.rows for cell in row.cells for w in cell.text.split()]
        slides.append(words)
    return slides


def rendered_words(pdf) -> list[dict]:
    """Each page of the PDF LibreOffice printed, with its size and words (pdftotext -bbox: points from the top left)."""
    out = subprocess.run([TOOLS["pdftotext"], "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [dict(zip(("x0", "y0", "x1", "y1"), map(float, w[:4])), text=unescape(w[4]))
                 for w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                                     page[2])]
        pages.append({"width": float(page[0]), "height": float(page[1]), "words": words})
    return pages


def test_the_slide_pack_rendered_by_libreoffice_shows_every_word_whole_on_its_slide(demo_db, tmp_path):
    con = database.connection(str(demo_db))
    sel = Selection(str(demo_db), "2023-24", "QZB", "U90001", True, "Demo PCN 0001 (synthetic)")
    inputs = queries.workforce_inputs(con, "QZB", "2023-24", True).set_index("pcn_code")
    pptx = exports.pcn_slide_pack(sel, queries.pcn_profile(con, "U90001", "2023-24", True),
                                  queries.england_range(con, "2023-24", True),
                                  queries.indicator_across_pcns(con, "QZB", "2023-24", "prev_mh", True),
                                  inputs.loc["U90001"], workforce.Assumptions(), demo=True)
    (tmp_path / "pack.pptx").write_bytes(pptx)
    subprocess.run([TOOLS["soffice"], f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "pack.pptx")],
                   check=True, capture_output=True, timeout=300)
    pages = rendered_words(tmp_path / "pack.pdf")
    written = slide_texts(pptx)
    assert len(pages) == len(written) == 4
    for number, (page, words) in enumerate(zip(pages, written), 1):
        shown = {part for w in page["words"] for part in parts(w["text"])}
        missing = [w for w in words if not set(parts(w)) <= shown]  # cut off, or broken inside a word: not there
        assert missing == [], (number, missing)
        outside = [w["text"] for w in page["words"] if w["x0"] < 0 or w["y0"] < 0
                   or w["x1"] > page["width"] or w["y1"] > page["height"]]
        assert outside == [], (number, outside)
        above = {part for w in page["words"] if w["y1"] <= exports.BODY_TOP * 72 for part in parts(w["text"])}
        title = [w for w in slide_title(pptx, number - 1).split() if not set(parts(w)) <= above]
        assert title == [], (number, title)  # the whole title above the chart, the table or the summary
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([TOOLS["pdftoppm"], "-r", "80", "-png", str(tmp_path / "pack.pdf"), str(SCREENSHOTS / "slide_rendered")],
                   check=True, timeout=120)
    assert len(list(SCREENSHOTS.glob("slide_rendered-*.png"))) >= 4


def parts(word: str) -> list[str]:
    """A word's parts between hyphens: a line may break after a hyphen (long-term-condition), never inside a part."""
    return [part for part in word.split("-") if part]


def slide_title(pptx: bytes, index: int) -> str:
    from pptx import Presentation

    return Presentation(io.BytesIO(pptx)).slides[index].shapes.title.text
