"""Content negotiation: which file of a resource answers an Accept header, on every server.

One table (``REPRESENTATIONS``) drives the three places that negotiate, so they give the
same answers (tests/test_servers.py runs the same table of requests against all three):

- Apache: a type map per resource (``city/be/.liege.var``, a hidden file beside the
  representations) and the site's ``.htaccess``, which sends the extension-less IRI path
  to it; mod_negotiation then weighs the client's q-values against our source qualities.
- nginx: an njs function (``.server/citynet.js``) doing the same arithmetic, set as
  ``$citynet_suffix`` by the http-level snippet and used by the server-level snippet.
- ``citynet serve``: ``negotiate`` below.

The algorithm is Apache's (mod_negotiation), because Apache's is the one we cannot change:
each representation gets the quality of the most specific Accept range that matches it,
times its source quality ``qs``; the highest product wins, ties go to the earlier entry.
When the header carries no q-value at all, ``*/*`` counts 0.01 and ``type/*`` 0.02 (so
``text/turtle, */*`` means Turtle). No Accept at all means HTML. Nothing acceptable: 406.
The source qualities differ by 0.001 only, so the client's preference decides whenever
its q-values differ (q-values have three decimals at most, RFC 9110 12.4.2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from citynet.graph.formats import BY_NAME

TURTLE = BY_NAME["turtle"]
JSONLD = BY_NAME["jsonld"]
NQUADS = BY_NAME["nquads"]
NTRIPLES = BY_NAME["ntriples"]
RDFXML = BY_NAME["rdfxml"]
HTML_MEDIA_TYPE = "text/html"


@dataclass(frozen=True, slots=True)
class Representation:
    media_type: str
    suffix: str
    quality: float  # the source quality (Apache's qs): the server's own preference


#: Every representation a negotiated resource may have, in order of preference (browsers
#: and ``*/*`` get HTML). A resource offers those of its files that exist.
REPRESENTATIONS: tuple[Representation, ...] = (
    Representation(HTML_MEDIA_TYPE, ".html", 1.0),
    Representation(TURTLE.media_type, TURTLE.suffix, 0.999),
    Representation(JSONLD.media_type, JSONLD.suffix, 0.998),
    Representation(RDFXML.media_type, RDFXML.suffix, 0.997),
    Representation(NTRIPLES.media_type, NTRIPLES.suffix, 0.996),
)
RDF_SUFFIXES = tuple(r.suffix for r in REPRESENTATIONS[1:])

#: Media types of the site's files, by suffix (Content-Type; the same on every server).
MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    TURTLE.suffix: f"{TURTLE.media_type}; charset=utf-8",
    JSONLD.suffix: JSONLD.media_type,
    RDFXML.suffix: RDFXML.media_type,
    NTRIPLES.suffix: NTRIPLES.media_type,
    NQUADS.suffix: NQUADS.media_type,
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

#: A request path (without its leading slash) that must never be served: any segment
#: starting with a dot (.htaccess, the type maps, .server/, the site marker), except the
#: registered /.well-known/ folder (RFC 8615), which holds the VoID description.
HIDDEN_PATH = r"(^|/)\.(?!well-known/)"
_HIDDEN = re.compile(HIDDEN_PATH)
SERVER_FOLDER = ".server"  # the nginx snippets and njs module: hidden like every dot file
NJS_FILE = "citynet.js"
NGINX_HTTP_FILE = "nginx-http.conf"
NGINX_SERVER_FILE = "nginx-server.conf"


def is_hidden(path: str) -> bool:
    """True for a site-relative path no server may answer (see HIDDEN_PATH)."""
    return bool(_HIDDEN.search(path.lstrip("/")))


def _quality(text: str) -> float:
    """A q-value as Apache reads it: three decimals at most, anything odd counts 1."""
    match = re.fullmatch(r"\s*(0(?:\.(\d{0,3})\d*)?|1(?:\.\d*)?|\.(\d{0,3})\d*)\s*", text)
    if match is None:
        return 1.0
    if match.group(0).strip().startswith("1"):
        return 1.0
    digits = (match.group(2) or match.group(3) or "").ljust(3, "0")
    return int(digits) / 1000


def parse_accept(header: str) -> tuple[list[tuple[str, float]], bool]:
    """The (media range, q) pairs of an Accept header, and whether any q was given."""
    ranges: list[tuple[str, float]] = []
    explicit = False
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                quality, explicit = _quality(value), True
        ranges.append((media, quality))
    return ranges, explicit


def _client_quality(media_type: str, ranges: list[tuple[str, float]], explicit: bool) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none does)."""
    major = media_type.split("/")[0]
    best_level, quality = -1, 0.0
    for media, q in ranges:
        level = {media_type: 2, f"{major}/*": 1, "*/*": 0}.get(media, -1)
        if level > best_level:
            best_level, quality = level, q
            if level < 2 and not explicit:
                quality = 0.02 if level == 1 else 0.01
    return quality


def negotiate(accept: str | None, available: tuple[str, ...] | None = None) -> str | None:
    """The suffix to serve for an Accept header; None when nothing available is acceptable.

    ``available`` lists the suffixes the resource has (default: all of REPRESENTATIONS).
    """
    offered = [r for r in REPRESENTATIONS if available is None or r.suffix in available]
    if not accept or not accept.strip():
        return offered[0].suffix if offered else None
    ranges, explicit = parse_accept(accept)
    best: tuple[float, str] | None = None
    for representation in offered:
        score = _client_quality(representation.media_type, ranges, explicit)
        score *= representation.quality
        if score > 0 and (best is None or score > best[0]):
            best = (score, representation.suffix)
    return best[1] if best else None


def type_map_name(doc: str) -> str:
    """The hidden Apache type map beside a resource's files: ``city/be/.liege.var``."""
    path = PurePosixPath(doc)
    return str(path.parent / f".{path.name}.var") if str(path.parent) != "." else f".{doc}.var"


def type_map(doc: str, suffixes: tuple[str, ...]) -> str:
    """The Apache type map listing a resource's representations with their qualities."""
    name = PurePosixPath(doc).name
    entries = [f"URI: {name}", ""]
    for representation in REPRESENTATIONS:
        if representation.suffix in suffixes:
            media = MEDIA_TYPES[representation.suffix].replace("; ", ";")
            entries += [
                f"URI: {name}{representation.suffix}",
                f"Content-type: {media}; qs={representation.quality}",
                "",
            ]
    return "\n".join(entries)


def htaccess() -> str:
    """Apache 2.4 rules: hidden files 404, the IRI path negotiated through its type map."""
    lines = [
        "# citynet: content negotiation for the static linked-data site (Apache 2.4).",
        "# Needs mod_rewrite, mod_negotiation, mod_mime, mod_dir and mod_headers, and",
        "# AllowOverride FileInfo Indexes for this folder (docs/site.md).",
        "# /city/be/liege is negotiated by the type map city/be/.liege.var among",
        "# liege.html, .ttl, .jsonld, .rdf and .nt, weighing the client's q-values.",
        "DirectorySlash Off",
        "DirectoryIndex index.html",
        "AddHandler type-map .var",
    ]
    for suffix, media in MEDIA_TYPES.items():
        kind, _, charset = media.partition("; charset=")
        lines.append(f"AddType {kind} {suffix}")
        if charset:
            lines.append(f"AddCharset {charset} {suffix}")
    lines += [
        'Header always set Access-Control-Allow-Origin "*"',
        "RewriteEngine On",
        "# Dot files and folders (this file, the type maps, .server/) are never served.",
        f"RewriteRule {HIDDEN_PATH} - [R=404]",
        "# An IRI path with a type map beside it: let mod_negotiation choose.",
        "RewriteCond %{REQUEST_FILENAME} ^(.*/)([^/]+)$",
        "RewriteCond %1.%2.var -f",
        "RewriteRule ^(.*/)?([^/]+)$ $1.$2.var [END]",
        "",
    ]
    return "\n".join(lines)


def nginx_http(site_dir: str) -> str:
    """The http-level nginx snippet: the njs module and ``$citynet_suffix``."""
    return "\n".join(
        [
            "# citynet: include inside http { } (needs the njs module, Debian's",
            "# libnginx-mod-http-js, loaded at the top level with load_module).",
            "# $citynet_suffix is the file suffix the Accept header asks for, 406 when",
            "# nothing the resource has is acceptable, empty when the path is no resource.",
            f"js_import citynet from {site_dir}/{SERVER_FOLDER}/{NJS_FILE};",
            "js_set $citynet_suffix citynet.suffix;",
            "",
        ]
    )


def nginx_server() -> str:
    """The server-level nginx snippet, for the server { } whose root is the site."""
    types = "\n".join(
        f"        {media.partition(';')[0]} {suffix[1:]};" for suffix, media in MEDIA_TYPES.items()
    )
    charset_types = sorted(
        {m.partition(";")[0] for m in MEDIA_TYPES.values() if "charset" in m} - {"text/html"}
    )
    return "\n".join(
        [
            "# citynet: include inside the server { } block whose root is the site folder",
            "# (after the http-level snippet, nginx-http.conf).",
            f"location ~ {HIDDEN_PATH.replace('(^|/)', '/')} {{",
            "    return 404;",
            "}",
            "location / {",
            "    types {",
            types,
            "    }",
            "    charset utf-8;",
            f"    charset_types {' '.join(charset_types)};",
            "    index index.html;",
            "    add_header Vary Accept always;",
            "    add_header Access-Control-Allow-Origin * always;",
            '    if ($citynet_suffix = "406") {',
            "        return 406;",
            "    }",
            "    try_files $uri $uri$citynet_suffix $uri/ =404;",
            "}",
            "",
        ]
    )


def njs_module() -> str:
    """The njs module nginx runs: ``negotiate`` above, in JavaScript, on the same table."""
    table = json.dumps([[r.media_type, r.suffix, r.quality] for r in REPRESENTATIONS])
    return _NJS.replace("__TABLE__", table)


_NJS = """// citynet: content negotiation for nginx (njs), generated from citynet.web.conneg.
// The same algorithm as Apache's mod_negotiation and `citynet serve`: the most specific
// matching Accept range's q times the representation's source quality; ties go to the
// earlier entry; without any q-value */* counts 0.01 and type/* 0.02.
var fs = require('fs');
var TABLE = __TABLE__;

function quality(text) {
    var m = /^\\s*(0(?:\\.(\\d{0,3})\\d*)?|1(?:\\.\\d*)?|\\.(\\d{0,3})\\d*)\\s*$/.exec(text);
    if (m === null || m[1].charAt(0) === '1') {
        return 1;
    }
    var digits = (m[2] || m[3] || '') + '000';
    return parseInt(digits.slice(0, 3), 10) / 1000;
}

function parse(header) {
    var ranges = [];
    var explicit = false;
    header.split(',').forEach(function (part) {
        var fields = part.split(';').map(function (f) { return f.trim(); });
        var media = fields[0].toLowerCase();
        if (!media) {
            return;
        }
        var q = 1;
        fields.slice(1).forEach(function (param) {
            var i = param.indexOf('=');
            var name = (i < 0 ? param : param.slice(0, i)).trim().toLowerCase();
            if (name === 'q') {
                q = quality(i < 0 ? '' : param.slice(i + 1));
                explicit = true;
            }
        });
        ranges.push([media, q]);
    });
    return [ranges, explicit];
}

function clientQuality(type, ranges, explicit) {
    var major = type.split('/')[0];
    var bestLevel = -1;
    var q = 0;
    ranges.forEach(function (range) {
        var level = range[0] === type ? 2 : range[0] === major + '/*' ? 1
            : range[0] === '*/*' ? 0 : -1;
        if (level > bestLevel) {
            bestLevel = level;
            q = range[1];
            if (level < 2 && !explicit) {
                q = level === 1 ? 0.02 : 0.01;
            }
        }
    });
    return q;
}

function exists(path) {
    try {
        fs.accessSync(path);
        return true;
    } catch (e) {
        return false;
    }
}

function suffix(r) {
    var path = r.variables.request_filename;
    if (!path || path.charAt(path.length - 1) === '/') {
        return '';
    }
    var offered = TABLE.filter(function (row) { return exists(path + row[1]); });
    if (offered.length === 0) {
        return '';
    }
    var accept = r.headersIn.Accept;
    if (!accept || !accept.trim()) {
        return offered[0][1];
    }
    var parsed = parse(accept);
    var best = null;
    var bestScore = 0;
    offered.forEach(function (row) {
        var score = clientQuality(row[0], parsed[0], parsed[1]) * row[2];
        if (score > bestScore) {
            best = row[1];
            bestScore = score;
        }
    });
    return best === null ? '406' : best;
}

export default { suffix };
"""


__all__ = [
    "HIDDEN_PATH",
    "HTML_MEDIA_TYPE",
    "JSONLD",
    "MEDIA_TYPES",
    "NGINX_HTTP_FILE",
    "NGINX_SERVER_FILE",
    "NJS_FILE",
    "NQUADS",
    "NTRIPLES",
    "RDFXML",
    "RDF_SUFFIXES",
    "REPRESENTATIONS",
    "Representation",
    "SERVER_FOLDER",
    "TURTLE",
    "htaccess",
    "is_hidden",
    "negotiate",
    "nginx_http",
    "nginx_server",
    "njs_module",
    "parse_accept",
    "type_map",
    "type_map_name",
]
