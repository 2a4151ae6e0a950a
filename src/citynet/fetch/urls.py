"""Which URLs are profile pages, what their files are called, and where lists of them are
(sitemaps, gzipped or not, and pages that link to profiles); docs/fetch.md has the rules.
"""

from __future__ import annotations

import re
import zlib
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

from citynet.errors import InputError
from citynet.fetch.content import defuse_unclosed, page_elements

#: The network's profile paths (matched against path and query; ``--match`` replaces it).
PROFILE_PATTERN = (
    r"^/(?:about-us/[^/?#]+|a-propos-de-lefus/[^/?#]+|en/our-network/public/\d+)/?"
    r"(?:\?lang=[a-z]{2})?$"
)
_SLUG_CHARS = re.compile(r"[^a-z0-9-]+")
_GZIP_MAGIC = b"\x1f\x8b"
# The root element of a sitemap, after an optional BOM, the XML declaration, processing
# instructions (a stylesheet, as Yoast's sitemaps have) and comments.
_SITEMAP_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:(?:<\?.*?\?>|<!--.*?-->)\s*)*"
    rb"<(?:[\w-]+:)?(urlset|sitemapindex)\b",
    re.DOTALL,
)


def profile_matcher(pattern: str | None) -> re.Pattern[str]:
    """The compiled profile rule; a broken ``--match`` is a usage error."""
    try:
        return re.compile(pattern or PROFILE_PATTERN)
    except re.error as error:
        raise InputError(f"--match {pattern!r}: not a regular expression: {error}") from None


def is_profile(url: str, matcher: re.Pattern[str]) -> bool:
    """True when the URL's path (and query) matches the profile rule."""
    parts = urlsplit(url)
    return bool(matcher.search((parts.path or "/") + (f"?{parts.query}" if parts.query else "")))


def same_site(a: str, b: str) -> bool:
    """True for URLs of one host, with or without ``www.`` (any scheme, any port)."""
    hosts = [(urlsplit(url).hostname or "").removeprefix("www.") for url in (a, b)]
    return hosts[0] == hosts[1]


def page_filename(url: str) -> str:
    """``liege.html`` for ``/about-us/liege/``, ``liege.fr.html`` for its ``?lang=fr``."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    stem = _SLUG_CHARS.sub("-", segments[-1].lower()).strip("-") if segments else ""
    lang = _SLUG_CHARS.sub("", parse_qs(parts.query).get("lang", [""])[0].lower())
    return f"{stem or 'index'}{'.' + lang if lang else ''}.html"


def gunzip(data: bytes, limit: int) -> bytes:
    """Bytes as served, decompressed when gzipped (a sitemap.xml.gz), at most ``limit``."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        out = zlib.decompressobj(wbits=31).decompress(data, limit + 1)
    except zlib.error as error:
        raise ValueError(f"broken gzip data: {error}") from None
    if len(out) > limit:
        raise ValueError(f"decompresses to more than {limit} bytes")
    return out


def sitemap_kind(body: bytes) -> str | None:
    """``"urlset"`` or ``"sitemapindex"`` when the bytes are a sitemap, else None."""
    match = _SITEMAP_ROOT.match(body[:4096])
    return match.group(1).decode() if match else None


def sitemap_locations(body: bytes) -> list[str]:
    """The ``<loc>`` of every entry of a sitemap (index), in order. A DOCTYPE is refused:
    sitemaps have none, and entity definitions are how XML expands into gigabytes."""
    if re.search(rb"<!DOCTYPE", body[:4096], re.IGNORECASE):
        raise ValueError("sitemap has a DOCTYPE declaration (refused)")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ValueError(f"not well-formed XML: {error}") from None
    # An entry's own <loc>, in any namespace (not an <image:loc> inside it).
    return [loc.text.strip() for loc in root.iterfind("*/{*}loc") if (loc.text or "").strip()]


def page_links(html: str, base: str) -> list[str]:
    """Every link of an HTML page as an absolute URL, in order, without repeats."""
    elements = page_elements(defuse_unclosed(html))
    for element in elements:
        if element.tag == "base" and element.attrs.get("href"):
            base = urljoin(base, element.attrs["href"])
    found: dict[str, None] = {}
    for element in elements:
        if element.tag == "a" and element.attrs.get("href"):
            url = urldefrag(urljoin(base, element.attrs["href"].strip()))[0]
            if urlsplit(url).scheme in ("http", "https"):  # not mailto:, javascript: etc.
                found.setdefault(url, None)
    return list(found)
