"""Clinic-written Markdown to safe HTML: Python-Markdown renders, nh3 (Ammonia) sanitises.

Raw HTML in the source is escaped before rendering and whatever HTML comes out is passed
through an allowlist, so script, event-handler attributes, ``style``, iframes and
``javascript:``/``data:`` links never reach a page, whoever typed the content.
"""

from __future__ import annotations

import re

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}
_HEADING = re.compile(r"<(/?)h([1-6])>")


def render_markdown(text: str) -> SafeString:
    """The sanitised HTML for ``text`` (Markdown; headings start at level 2 on the page)."""
    # Escaping "<" alone is enough to stop any tag forming (">" starts a Markdown quote).
    escaped = (text or "").replace("<", "&lt;")
    # Section headings are the page's own h2s, so the clinic's headings start at h3.
    html = md.markdown(escaped, extensions=["sane_lists"], output_format="html")
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 4)}>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 output is the allowlisted HTML above
