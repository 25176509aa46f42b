"""cassbot's message texts as Telegram HTML, split to Telegram's length limit.

The catalogue writes emphasis the WhatsApp way (`*negritas*`, `_cursiva_`); Telegram gets the
same as HTML, with everything else escaped, so a name or a quoted word can never break the
markup. People mentioned by an action become links to their profiles.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from cassbot.events import UserRef

MAX_LENGTH = 4096  # Telegram's limit for one message's text

_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")


def to_html(text: str, mentions: Iterable[UserRef] = ()) -> str:
    """Escape `text` for Telegram's HTML mode, keeping *bold* and _italic_ emphasis."""
    out = html.escape(text, quote=False)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _ITALIC.sub(r"<i>\1</i>", out)
    for user in mentions:
        out = _link_mention(out, user)
    return out


def _link_mention(out: str, user: UserRef) -> str:
    """Turn the first plain occurrence of the person's name into a link to their profile."""
    if not user.display_name or not user.user_id.isdigit():
        return out
    name = html.escape(user.display_name, quote=False)
    for candidate in (f"@{name}", name):
        index = _outside_tags(out, candidate)
        if index >= 0:
            link = f'<a href="tg://user?id={user.user_id}">{candidate}</a>'
            return out[:index] + link + out[index + len(candidate) :]
    return out


def _outside_tags(out: str, needle: str) -> int:
    """Where `needle` first appears outside an HTML tag or link, or -1."""
    start = 0
    while (index := out.find(needle, start)) >= 0:
        before = out[:index]
        inside_tag = before.rfind("<") > before.rfind(">")
        inside_link = before.rfind("<a ") > before.rfind("</a>")
        if not inside_tag and not inside_link:
            return index
        start = index + 1
    return -1


def split_text(text: str, limit: int = MAX_LENGTH) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line or word boundaries.

    The limit is applied to the plain text with room left for the markup added later.
    """
    budget = max(100, limit - 400)
    pieces: list[str] = []
    rest = text
    while len(rest) > budget:
        window = rest[:budget]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < budget // 2:
            cut = window.rfind(" ")
        if cut < budget // 2:
            cut = budget
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [p for p in pieces if p] or [""]
