"""Sanitising of HTML typed by people: only harmless tags and attributes survive."""

from __future__ import annotations

import re

import nh3
from django.utils.html import linebreaks

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "abbr",
    "span",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "lang"},
    "abbr": {"title"},
    "span": {"lang"},
    "img": {"src", "alt", "width", "height"},
}
_HAS_BLOCK_TAG = re.compile(r"<(p|ul|ol|h[2-4]|blockquote)\b", re.IGNORECASE)


def sanitize_html(text: str) -> str:
    """Keep a safe subset of HTML; plain text gets paragraphs from its blank lines."""
    if not (text or "").strip():
        return ""
    if not _HAS_BLOCK_TAG.search(text or ""):
        text = linebreaks(text or "")
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
