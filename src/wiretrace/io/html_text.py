"""An HTML fragment (a feed entry's content, a summary) -> plain text with paragraph breaks.

Block elements (``p``, ``div``, ``li``, headings, ``blockquote``, table rows ...) become
paragraphs separated by a blank line, ``<br>`` a line break; whitespace inside a paragraph is
collapsed, entities are decoded, scripts and styles dropped. Whole pages go through trafilatura
(:mod:`wiretrace.io.html_reader`) instead, which also removes navigation and boilerplate.

>>> html_fragment_text("<p>Erster &amp; Absatz <b>fett</b>.</p><p>Zweiter<br/>Zeile</p>")
'Erster & Absatz fett.\\n\\nZweiter\\nZeile'
>>> html_fragment_text("Nur Text, keine Tags")
'Nur Text, keine Tags'
"""

from __future__ import annotations

import re

__all__ = ["html_fragment_text", "looks_like_html"]

_BLOCKS = frozenset(
    ["p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table", "section", "article", "header", "footer", "figure", "figcaption", "dl", "dt", "dd", "aside", "main", "nav", "address", "hr"]
)
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
_TAG = re.compile(r"<[a-zA-Z!/][^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def looks_like_html(value: str) -> bool:
    """Whether a string holds markup (a tag) or entities rather than plain text."""
    return bool(_TAG.search(value)) or "&" in value


def html_fragment_text(fragment: str) -> str:
    """The plain text of an HTML fragment (see the module docs); ``""`` when it has none."""
    if not looks_like_html(fragment):
        return fragment.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several kinds on odd markup; fall back to removing tags
        import html

        return html.unescape(_TAG.sub(" ", fragment)).strip()
    parts: list[str] = []

    def walk(element) -> None:  # type: ignore[no-untyped-def]
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.lower() in _DROP:
            if element.tail:
                parts.append(element.tail)
            return
        block = tag.lower() in _BLOCKS
        if block:
            parts.append("\n\n")
        if tag.lower() == "br":
            parts.append("\n")
        if element.text and tag:
            parts.append(element.text)
        for child in element:
            walk(child)
        if block:
            parts.append("\n\n")
        if element.tail:
            parts.append(element.tail)

    walk(root)
    raw = "".join(parts)
    paragraphs = []
    for block in re.split(r"\n\s*\n", raw):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)
