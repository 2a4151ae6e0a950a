"""Content negotiation: which file of a resource answers an Accept header.

One table (``REPRESENTATIONS``, built from the formats table) drives the three places that
negotiate: the Apache rules (.htaccess) and nginx snippet the site ships, and
``citynet serve``. The site writes a resource's representations side by side
(``city/be/liege.html``, ``.ttl``, ``.jsonld``), so negotiation only picks a suffix.
"""

from __future__ import annotations

import re

from citynet.graph.formats import BY_NAME

TURTLE = BY_NAME["turtle"]
JSONLD = BY_NAME["jsonld"]
NQUADS = BY_NAME["nquads"]
HTML_MEDIA_TYPE = "text/html"

#: (media type, file suffix) of each representation of a resource, in order of preference
#: when a client accepts several equally (browsers and ``*/*`` get HTML).
REPRESENTATIONS: tuple[tuple[str, str], ...] = (
    (HTML_MEDIA_TYPE, ".html"),
    (TURTLE.media_type, TURTLE.suffix),
    (JSONLD.media_type, JSONLD.suffix),
)

#: Media types of the other files the site holds, by suffix (for Content-Type headers).
MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    TURTLE.suffix: f"{TURTLE.media_type}; charset=utf-8",
    JSONLD.suffix: JSONLD.media_type,
    NQUADS.suffix: NQUADS.media_type,
    ".css": "text/css; charset=utf-8",
    ".conf": "text/plain; charset=utf-8",
    ".png": "image/png",
}


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """The suffix to serve for an Accept header; None when nothing we have is acceptable.

    Most specific matching range decides each type's quality (RFC 9110 12.5.1); ties go to
    the earlier entry of REPRESENTATIONS, so ``*/*`` and browsers get HTML.
    """
    if not accept or not accept.strip():
        return REPRESENTATIONS[0][1]
    ranges = _parse_accept(accept)
    best: tuple[float, int, str] | None = None
    for order, (media_type, suffix) in enumerate(REPRESENTATIONS):
        major = media_type.split("/")[0]
        quality = None
        specificity = -1
        for media, q in ranges:
            if media == media_type:
                level = 2
            elif media == f"{major}/*":
                level = 1
            elif media == "*/*":
                level = 0
            else:
                continue
            if level > specificity:
                specificity, quality = level, q
        if quality and (best is None or quality > best[0]):
            best = (quality, order, suffix)
    return best[2] if best else None


def htaccess() -> str:
    """Apache rules: the extension-less IRI path serves .ttl, .jsonld or .html by Accept."""
    rules = [
        "# citynet: content negotiation for the static linked-data site (Apache 2.4).",
        "# Needs mod_rewrite and mod_mime, and AllowOverride FileInfo Options Indexes.",
        "# The IRI path /city/be/liege serves city/be/liege.ttl for Accept: text/turtle,",
        "# city/be/liege.jsonld for application/ld+json, else city/be/liege.html.",
        "Options -MultiViews",
        "DirectorySlash Off",
        "DirectoryIndex index.html",
        "AddDefaultCharset utf-8",
        "AddCharset utf-8 .html .ttl .jsonld .nq .css",
        f"AddType {TURTLE.media_type} {TURTLE.suffix}",
        f"AddType {JSONLD.media_type} {JSONLD.suffix}",
        f"AddType {NQUADS.media_type} {NQUADS.suffix}",
        "<IfModule mod_headers.c>",
        "  Header append Vary Accept",
        "  Header set Access-Control-Allow-Origin *",
        "</IfModule>",
        "RewriteEngine On",
    ]
    for media_type, suffix in REPRESENTATIONS[1:]:
        pattern = re.escape(media_type).replace("/", "/")
        rules += [
            f"RewriteCond %{{HTTP_ACCEPT}} {pattern}",
            f"RewriteCond %{{REQUEST_FILENAME}}{suffix} -f",
            f"RewriteRule ^(.+)$ $1{suffix} [END]",
        ]
    rules += [
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        "RewriteRule ^(.+)$ $1.html [END]",
        "",
    ]
    return "\n".join(rules)


def nginx_conf() -> str:
    """An nginx snippet doing the same negotiation (the map goes in the http block)."""
    lines = [
        "# citynet: content negotiation for the static linked-data site (nginx).",
        "# Put the map in the http { } block and the location in the server { } block whose",
        "# root is this folder. /city/be/liege then serves city/be/liege.ttl for",
        "# Accept: text/turtle, city/be/liege.jsonld for application/ld+json, else .html.",
        "map $http_accept $citynet_suffix {",
        '    default ".html";',
    ]
    for media_type, suffix in REPRESENTATIONS[1:]:
        lines.append(f'    "~*{re.escape(media_type)}" "{suffix}";')
    lines += [
        "}",
        "",
        "location / {",
        "    types {",
        "        text/html html;",
        f"        {TURTLE.media_type} {TURTLE.suffix[1:]};",
        f"        {JSONLD.media_type} {JSONLD.suffix[1:]};",
        f"        {NQUADS.media_type} {NQUADS.suffix[1:]};",
        "        text/css css;",
        "    }",
        "    charset utf-8;",
        "    charset_types text/turtle application/ld+json application/n-quads;",
        "    index index.html;",
        "    add_header Vary Accept always;",
        "    add_header Access-Control-Allow-Origin * always;",
        "    try_files $uri$citynet_suffix $uri.html $uri $uri/ =404;",
        "}",
        "",
    ]
    return "\n".join(lines)


__all__ = [
    "HTML_MEDIA_TYPE",
    "JSONLD",
    "MEDIA_TYPES",
    "REPRESENTATIONS",
    "TURTLE",
    "htaccess",
    "negotiate",
    "nginx_conf",
]
