"""Names and values from files or users shown as text: never as markdown (a link, an image fetched from elsewhere, a
heading), never as HTML (plotly's subset: <a href>, <span style>, <b>, <br>). The one place every page, chart,
message and export escapes what it did not write itself."""

from __future__ import annotations

import html
import re
import string

#: Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one is always literal:
#: escaping them all leaves no link, image, emphasis, heading, list, table, autolink (www. / http:// / a@b.c),
#: Streamlit colour directive (:red[...]) or math ($...$) to form.
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
#: Characters that change how a line reads without being seen: zero-width and bidirectional controls.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def one_line(value) -> str:
    """The value as one line of visible text (new lines and tabs as spaces, invisible controls removed): a blank
    line would end a markdown block, a bidirectional control would reorder what follows."""
    return " ".join(_INVISIBLE.sub("", "" if value is None else str(value)).split())


def markdown(value) -> str:
    """``value`` made literal for Streamlit's markdown (st.markdown, st.caption, st.title, st.info, widget labels)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))


def chart(value) -> str:
    """``value`` made literal for plotly's text (titles, axis and tick labels, legends, hovers, annotations), which
    reads a subset of HTML and its entities: & < > and quotes written as entities."""
    return html.escape(one_line(value), quote=True)


def chart_labels(values) -> list[str]:
    """chart() of each value (a column of names for a chart's categories or hover)."""
    return [chart(v) for v in values]
