"""Names and values from files or users shown as text: never as markdown (a link, an image fetched from elsewhere, a
heading), never as HTML (plotly's subset: <a href>, <span style>, <b>, <br>). The one place every page, chart,
message and export escapes what it did not write itself."""

from __future__ import annotations

import html
import re

#: Characters that make markdown of text, escaped with a backslash (CommonMark: an escaped punctuation character is
#: always literal): links and images ([ ] !), HTML and autolinks (< >), emphasis and code (* _ ` ~), tables (|),
#: math ($), headings (#), Streamlit's directives and icons (:red[...], :material/...:), e-mail autolinks (@), braces.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$#:@!{}])")
#: What forms markdown only at the start of a line (a list item: "- ", "+ ", "1. ").
_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")
#: GFM's bare links (http://..., www...., a@b.c) are found in the text after parsing, escapes already undone: an
#: invisible word joiner inside "http:", "www." and before "@" keeps them text.
_BARE_LINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp)(?=\\?:)|\bwww(?=\\?\.)|(?=\\@))")
WORD_JOINER = "\u2060"
#: Characters that change how a line reads without being seen: zero-width and bidirectional controls.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def one_line(value) -> str:
    """The value as one line of visible text (new lines and tabs as spaces, invisible controls removed): a blank
    line would end a markdown block, a bidirectional control would reorder what follows."""
    return " ".join(_INVISIBLE.sub("", "" if value is None else str(value)).split())


def markdown(value) -> str:
    """``value`` made literal for Streamlit's markdown (st.markdown, st.caption, st.title, st.info, widget labels)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))
    escaped = _LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1).isdigit() else "\\" + m.group(1), escaped)
    return _BARE_LINK.sub(lambda m: m.group(1) + WORD_JOINER, escaped)


def chart(value) -> str:
    """``value`` made literal for plotly's text (titles, axis and tick labels, legends, hovers, annotations), which
    reads a subset of HTML and its entities: & < > and quotes written as entities."""
    return html.escape(one_line(value), quote=True)


def chart_labels(values) -> list[str]:
    """chart() of each value (a column of names for a chart's categories or hover)."""
    return [chart(v) for v in values]
