"""Decoding a page's bytes and normalising its text, before any line is read.

Strict UTF-8 (anything else is an :class:`InputError` naming the byte), then one
canonical text: BOM dropped, CRLF/CR -> LF, character references (``&#8221;``) decoded,
no-break and other odd spaces -> space, NUL/control/zero-width/U+2028/U+FEFF removed,
NFC. So a BOM+CRLF+NBSP copy or an NFD copy of a page reads the same.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

from citynet.errors import InputError

_DROP = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
_DROP.update(dict.fromkeys([0x200B, 0x2060, 0xFEFF, 0x00AD, 0xFFFE, 0xFFFF]))
_SPACE = dict.fromkeys(
    [0x09, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000], 0x20
)
_TABLE = {**_DROP, **_SPACE}
# str.translate looks every character up in a dict; finding the few odd characters with
# one regex scan first is much faster on pages that have none or a handful.
_ODD = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SURROGATE = re.compile("[\ud800-\udfff]")


def normalize_text(text: str) -> str:
    """The canonical form of a page's text (see the module docstring)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(lambda m: html_lib.unescape(m.group()), text)
    if _ODD.search(text):
        text = text.translate(_TABLE)
    if not text.isascii():
        text = _SURROGATE.sub("", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    return text


def decode_page(raw: bytes, name: str) -> str:
    """Strict UTF-8, or an InputError naming the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not UTF-8 at byte {error.start}",
            hint="the page looks like another encoding (cp1252, Latin-1?); save it as UTF-8",
        ) from None
    head = text[:8192]
    if head.count("\x00") > max(8, len(head) // 100):
        raise InputError(
            f"{name}: binary content, not a profile page", hint="give a text or HTML page"
        )
    return text
