"""Hostile pages (issue 21): no page makes the reader's time or memory grow faster than
the page, and beyond the documented limits (citynet.read.limits) a ``limit`` warning
says what was skipped while the rest of the page still maps.

Growth is measured in a subprocess (its own peak resident memory), on pages of 1 KB,
10 KB, 100 KB and 1 MB made of one construct repeated: unclosed, nested and stray
shortcodes, links, quotes, long lists, brackets, dates. Lines stay under the line limit
(so every construct is really read) and repeat to fill the page. The bounds are
generous on purpose (a shared machine): what they catch is the square, which makes the
1 MB page 100 times slower than the 100 KB one, not 10 times.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citynet.errors import CitynetError
from citynet.read import (
    activities,
    cityname,
    dates,
    grammar,
    html,
    links,
    normalize,
    reader,
    twins,
)
from citynet.read.limits import (
    MAX_LINE_CHARS,
    MAX_LINKS_PER_LINE,
    MAX_LIST_ITEMS,
    MAX_PAGE_ITEMS,
    MAX_WARNINGS_PER_LINE,
    QUOTED_CHARS,
)
from citynet.read.links import scan_links, split_and
from citynet.read.pages import LINE_KINDS, WARNING_CODES, read_html, read_page, read_text

SRC = Path(__file__).resolve().parents[1] / "src"
HEAD = "Liège\n1. General Information :\nPopulation: 195 000\n2. The city and Efus :\n"
LINK = "[link url=”1″]"
#: (page size, line length) of the pages read for each construct, in this order. The
#: first four grow the page tenfold each time (lines up to just under the line limit);
#: the last is the third again in lines ten times shorter.
PAGES = (
    (1_000, 1_000),
    (10_000, 10_000),
    (100_000, 19_000),
    (1_000_000, 19_000),
    (100_000, 1_900),
)

#: Each construct: the start of its line and the piece repeated along it.
CONSTRUCTS = {
    "unclosed links in a twin list": ("Twinned with: ", LINK),
    "unclosed links in an activity": ("- ", LINK + "x "),
    "nested links": ("- Partner of ", LINK + "[link url=”2″]y "),
    "stray closing tags": ("- Conference ", "[/link] "),
    "openings without a bracket": ("Twinned with: ", "[link "),
    "links with dates in their labels": ("- ", LINK + "A 2010[/link], "),
    "links without labels": ("- Partner of ", "[link url=”12″][/link] "),
    "unbalanced quotes": ("- Conference ", "“"),
    "quotes in a twin list": ("Twinned with: ", "“A, "),
    "a long twin list": ("Twinned with: ", "Bremen, "),
    "twins joined by and": ("Twinned with: ", "Bremen and "),
    "unclosed brackets": ("Twinned with: Bremen ", "("),
    "bracket groups": ("Twinned with: Bremen ", "(x) "),
    "event segments": ("- Conference, ", "Paris, "),
    "dates in a row": ("- Conference ", "2012 and "),
    "impossible dates": ("- Conference ", "31 February 2012, "),
    "web addresses without a dot": ("Website: ", "http://"),
    "bulleted twins": ("• ", "Bremen "),
    "bulleted activities": ("- Conference ", "2012 "),
}
#: Constructs read as such on short lines only: the line length their pages use at most.
SHORT_LINES = {
    "web addresses without a dot": 3_900,  # website lines: up to 4,000
    "bulleted twins": 12,  # one twin a line: 100,000 list lines in 1 MB
    "bulleted activities": 20,
}
#: The label above the repeated lines (default: "Participated in:").
LABELS = {"bulleted twins": "Twinned with:\n"}

HTML_HEAD = (
    "<html><body><div class='entry-content'><h2>1. General Information :</h2>\n"
    "<p>Population: 195 000</p>\n"
)
#: The HTML-to-text step's constructs: what starts the page's content, the piece repeated.
HTML_CONSTRUCTS = {
    "HTML nested unclosed elements": ("", "<div>x"),
    "HTML unclosed inline tags": ("", "<b>x"),
    "HTML unclosed links": ("", "<a href='1'>x"),
    "HTML stray end tags under deep nesting": ("<b>" * 300, "</i>"),
    "HTML unclosed start tags": ("", "<a "),
    "HTML unclosed end tags": ("", "</"),
    "HTML unclosed comments": ("", "<!--"),
    "HTML unclosed declarations": ("", "<!x"),
    "HTML unclosed processing instructions": ("", "<?x"),
    "HTML unclosed marked sections": ("", "<![CDATA["),
    "HTML nested boilerplate": ("", "<div class='menu'>x"),
    "HTML a huge attribute": ("<div class='", "a "),
    "HTML a huge link": ("<a href='", "x"),
    "HTML a long text run": ("<p>", "word "),
    "HTML many tiny elements": ("", "<span>x</span>"),
    "HTML many list items": ("<p>Twinned with:</p><ul>", "<li>Bremen</li>"),
    "HTML many line breaks": ("<p>", "x<br>"),
    "HTML many canonical links": ("", "<link rel='canonical' href='x'>"),
}


def hostile_page(construct: str, size: int, line_chars: int) -> str:
    """About ``size`` characters: the head of a profile page, then the construct's line
    (about ``line_chars`` characters) repeated. HTML constructs repeat their piece through
    the page, with a line break about every ``line_chars`` characters."""
    if construct in HTML_CONSTRUCTS:
        start, piece = HTML_CONSTRUCTS[construct]
        per_line = max(1, line_chars // len(piece))
        repeats = max(1, (size - len(HTML_HEAD) - len(start)) // len(piece) + 1)
        lines = [piece * min(per_line, repeats - i) for i in range(0, repeats, per_line)]
        return HTML_HEAD + start + "\n".join(lines)
    start, piece = CONSTRUCTS[construct]
    line_chars = min(line_chars, SHORT_LINES.get(construct, line_chars))
    repeats = max(1, (min(size, line_chars) - len(start)) // len(piece))
    line = start + piece * repeats + "\n"
    parts = [HEAD, LABELS.get(construct, "Participated in:\n")]
    total = sum(map(len, parts))
    while total < size:
        parts.append(line)
        total += len(line)
    return "".join(parts)


# Reads each page given, smallest first, and prints one JSON line per page: CPU seconds
# (not wall-clock time, which counts the waits of a loaded machine), peak resident
# memory so far (MB), and what the report would carry.
_PEAK_MB = textwrap.dedent(
    """
    def peak_mb():
        # VmHWM: this process's own peak (ru_maxrss keeps the parent's across fork+exec,
        # so a child of a large pytest worker would report the worker's).
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    """
)
_MEASURE = _PEAK_MB + textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from citynet.read.pages import read_page
    for path in sys.argv[1:]:
        text = open(path, encoding="utf-8").read()
        start = time.process_time()
        record = read_page(Path(path), city="Liège")  # text or HTML, by content
        seconds = time.process_time() - start
        print(json.dumps({
            "chars": len(text),
            "seconds": seconds,
            "mb": peak_mb(),
            "warning_chars": sum(len(w.text) + len(w.message) for w in record.warnings),
        }), flush=True)
    """
)


def measure(paths: list[Path]) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("construct", sorted(CONSTRUCTS) + sorted(HTML_CONSTRUCTS))
def test_reading_time_and_memory_grow_linearly(construct: str, tmp_path: Path) -> None:
    paths = []
    for size, line_chars in PAGES:
        path = tmp_path / f"{size}-{line_chars}.txt"
        path.write_text(hostile_page(construct, size, line_chars), encoding="utf-8")
        paths.append(path)
    rows = measure(paths)
    assert [r["chars"] >= size for r, (size, _) in zip(rows, PAGES, strict=True)] == [True] * 5
    small, large, short_lines = rows[2], rows[3], rows[4]
    # Ten times the page: at most 30 times the time (the square would be 100 times).
    assert large["seconds"] <= 30 * max(small["seconds"], 0.01), rows
    # The same page in lines ten times longer: about the same time (a cost growing
    # with the square of the line would make it 10 times slower).
    assert small["seconds"] <= 3 * short_lines["seconds"] + 0.05, rows
    assert max(r["seconds"] for r in rows) < 5, rows
    assert max(r["mb"] for r in rows) < 300, rows
    # What the report carries grows with the page too (warnings quote their line at
    # most MAX_WARNINGS_PER_LINE + 1 times), never with its square.
    assert all(r["warning_chars"] <= 25 * r["chars"] for r in rows), rows


def test_the_page_of_issue_21_builds_in_bounded_time_and_memory(tmp_path: Path) -> None:
    # 4,000 unclosed links on one twin line took 12 s and 1.4 GB (a report of 290 MB).
    page = tmp_path / "hostile.txt"
    page.write_text(HEAD + "Twinned with: " + LINK * 4000 + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    script = _PEAK_MB + textwrap.dedent(
        """
        import sys
        from citynet.cli import cli
        try:
            cli(sys.argv[1:], standalone_mode=False)
        finally:
            print(int(peak_mb()))
        """
    )
    start = time.perf_counter()
    out = tmp_path / "build"
    args = [str(page), "--out", str(out), "--city", "Liège", "--no-validate", "-q"]
    done = subprocess.run(
        [sys.executable, "-c", script, "build", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert seconds < 30
    assert int(done.stdout.split()[-1]) < 500  # MB
    report = json.loads((out / "report.json").read_text())
    assert (out / "report.json").stat().st_size < 100_000
    warnings = [w for page in report["pages"] for w in page["warnings"]]
    assert [(w["line"], w["code"]) for w in warnings] == [(5, "limit")]
    assert warnings[0]["message"] == (
        f"line of {len('Twinned with: ') + 4000 * len(LINK):,} characters not read"
        f" (limit {MAX_LINE_CHARS:,} a line)"
    )


# -- the limits, each with its warning ------------------------------------------------


def codes(record) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(w.line, w.code) for w in record.warnings]


def test_a_line_above_the_limit_is_one_warning_and_the_rest_of_the_page_maps() -> None:
    long_line = "Participated in: " + "Conference 2012, " * (MAX_LINE_CHARS // 17)
    assert len(long_line) > MAX_LINE_CHARS
    text = HEAD + long_line + "\nTwinned with: Bremen (Germany)\n"
    rec = read_text(text, "long.txt", city="Liège")
    assert rec.population == 195_000
    assert [t.place.name for t in rec.twins] == ["Bremen"]
    assert rec.activities == []
    assert codes(rec) == [(5, "limit")]
    warning = rec.warnings[0]
    assert warning.message == (
        f"line of {len(long_line):,} characters not read (limit {MAX_LINE_CHARS:,} a line)"
    )
    assert warning.text == long_line[:QUOTED_CHARS] + "…"
    assert rec.line_kinds[5] == "warning"


def test_a_line_at_the_limit_is_read() -> None:
    line = "Twinned with: Bremen (Germany)" + " " + "x" * (MAX_LINE_CHARS - 31)
    assert len(line) == MAX_LINE_CHARS
    rec = read_text(HEAD + line + "\n", "edge.txt", city="Liège")
    assert "limit" not in {w.code for w in rec.warnings}


def test_links_beyond_the_limit_keep_their_labels_as_text() -> None:
    line = " ".join(f"[link url=”{i}″]T{i}[/link]" for i in range(MAX_LINKS_PER_LINE + 30))
    clean, found, problems = scan_links(line, 1)
    assert [k.id for k in found] == [str(i) for i in range(MAX_LINKS_PER_LINE)]
    assert clean == " ".join(f"T{i}" for i in range(MAX_LINKS_PER_LINE + 30))
    first_skipped = line.index(f"[link url=”{MAX_LINKS_PER_LINE}″]") + 1
    assert problems == [
        (
            first_skipped,
            f"30 more [link] shortcodes on this line not read as links"
            f" (limit {MAX_LINKS_PER_LINE} a line): their labels are kept as text",
            "limit",
        )
    ]


def test_an_open_link_at_the_limit_ends_there() -> None:
    line = LINK * (MAX_LINKS_PER_LINE + 5) + "tail"
    clean, found, problems = scan_links(line, 1)
    assert clean == "tail"
    assert len(found) == MAX_LINKS_PER_LINE
    assert [code for _, _, code in problems] == ["shortcode"] * (MAX_LINKS_PER_LINE - 1) + ["limit"]


def test_twins_beyond_the_limit_are_counted_in_a_warning() -> None:
    names = [f"Town{i}" for i in range(MAX_LIST_ITEMS + 50)]
    for line in ["Twinned with: " + ", ".join(names), "Twinned with: Germany: " + ", ".join(names)]:
        rec = read_text(HEAD + line + "\n", "many.txt", city="Liège")
        assert [t.place.name for t in rec.twins] == names[:MAX_LIST_ITEMS]
        assert codes(rec) == [(5, "limit")]
        assert rec.warnings[0].message == (
            f"50 more twins on this line not read (limit {MAX_LIST_ITEMS} a line)"
        )


def test_warnings_beyond_the_limit_are_counted_in_one_last_warning() -> None:
    line = "- Partner of " + "[link url=”12″][/link] " * (MAX_WARNINGS_PER_LINE + 7) + "2012"
    rec = read_text(HEAD + "Participated in:\n" + line + "\n", "many.txt", city="Liège")
    on_line = [w for w in rec.warnings if w.line == 6]
    # The count has no column: it sorts before the warnings with one.
    assert [w.code for w in on_line] == ["limit"] + ["link-no-label"] * MAX_WARNINGS_PER_LINE
    assert on_line[0].message == (
        f"7 more warnings on this line not listed (limit {MAX_WARNINGS_PER_LINE} a line)"
    )


def test_an_opening_without_a_bracket_does_not_swallow_the_next_link() -> None:
    clean, found, problems = scan_links("[link [link url=”7″]Title[/link] after", 1)
    assert clean == "[link Title after"
    assert [(k.id, k.label(clean)) for k in found] == [("7", "Title")]
    assert problems == []


def test_and_splits_only_outside_brackets() -> None:
    assert split_and("Casablanca (Morocco and Spain) and Kinshasa") == [
        "Casablanca (Morocco and Spain)",
        "Kinshasa",
    ]
    assert split_and("(B and C) and D et E") == ["(B and C)", "D", "E"]


# -- regular expressions --------------------------------------------------------------

#: Patterns only ever run on bounded text, with the bound that keeps them cheap.
_BOUNDED = {
    ("dates", "_DATE_RE"): "run on the 128-character windows around a year (_windows)",
    ("html", "_HTML_START"): "matched at the start of the first 4,096 characters",
}
#: Pieces of the real grammar that adversarial lines repeat. Lines never hold runs of
#: spaces (the reader folds them to one), so a lone space is not among them.
_PIECES = [
    "a",
    "A",
    "1",
    "12 ",
    "(",
    ")",
    "[link ",
    LINK,
    "[/link]",
    "“",
    "”",
    "www.",
    "http://",
    ", ",
    " and ",
    "a-",
    "2012 and ",
    "since ",
    "of the ",
    "partner of ",
    "Bremen (",
    ": ",
    "x.",
    "’",
    "#",
]
_MODULES = {
    "activities": activities,
    "cityname": cityname,
    "dates": dates,
    "grammar": grammar,
    "html": html,
    "links": links,
    "normalize": normalize,
    "reader": reader,
    "twins": twins,
}

# Searches every pattern of the reader on every piece repeated to 2,000 and to 20,000
# characters (the line limit) and prints the patterns whose time grows faster than the
# text. A subprocess, so the timing does not share a process with other tests.
_REGEX_GROWTH = textwrap.dedent(
    """
    import json, re, sys, time, importlib
    pieces, bounded = json.loads(sys.argv[1]), {tuple(k) for k in json.loads(sys.argv[2])}
    slow = []
    for module in sys.argv[3:]:
        for name, pattern in vars(importlib.import_module(module)).items():
            short = module.rsplit(".", 1)[1]
            if not isinstance(pattern, re.Pattern) or (short, name) in bounded:
                continue
            for piece in pieces:
                times = []
                for size in (2_000, 20_000):
                    text = (piece * (size // len(piece) + 1))[:size]
                    start = time.process_time()
                    pattern.search(text)
                    for _ in pattern.finditer(text):
                        pass
                    times.append(time.process_time() - start)
                if times[1] > 0.05 and times[1] > 30 * max(times[0], 0.001):
                    slow.append([short, name, piece, times])
    print(json.dumps(slow))
    """
)


def test_no_pattern_of_the_reader_backtracks_on_adversarial_lines() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _REGEX_GROWTH,
            json.dumps(_PIECES),
            json.dumps(sorted(_BOUNDED)),
            *(f"citynet.read.{name}" for name in sorted(_MODULES)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=True,
    )
    assert json.loads(done.stdout) == []


def test_every_module_of_the_reader_is_scanned_for_patterns() -> None:
    folder = SRC / "citynet" / "read"
    with_patterns = {
        p.stem for p in folder.glob("*.py") if re.search(r"re\.compile\(", p.read_text())
    }
    assert with_patterns == set(_MODULES)


# -- pages built from the grammar: repeated, unclosed and nested fragments ------------

#: Fragments of the real grammar, text and HTML, as hostile pages would pile them up.
FRAGMENTS = [
    "1. General Information :",
    "2. The city in our network :",
    "Further information:",
    "Population: 195 000",
    "Location: Belgium",
    "Twinned with:",
    "Twinned with: Bremen (Germany), ",
    "Germany: ",
    "Bremen (",
    " and ",
    ", ",
    "; ",
    "Participated in:",
    "Hosted :",
    "Member of the Executive Committee : 2010",
    "President of the national forum since ",
    "Website: www.liege.be",
    LINK,
    "[link url=”31294#11307″]",
    "[/link]",
    "[link ",
    "“",
    "”",
    "(",
    ")",
    "12-14 December 2012",
    "2000-2004, ",
    "between 2000 and 2003",
    "30th of September and 1st of October, 1999",
    "31 February 2012",
    "since ",
    "• ",
    "- ",
    "\n",
    "<div>",
    "</div>",
    "<p>",
    "<ul><li>",
    "</li>",
    "<a href='?p=31294'>",
    "</a>",
    "<br>",
    "<!--",
    "</",
    "<a ",
    "<![CDATA[",
    "<div class='menu'>",
    "<h2>",
    "<script>",
]
#: Wrappers for nesting: (opening, closing); the closing may be left out.
WRAPPERS = [
    (LINK, "[/link]"),
    ("“", "”"),
    ("(", ")"),
    ("<div>", "</div>"),
    ("<a href='1'>", "</a>"),
    ("<ul><li>", "</li></ul>"),
    ("<!--", "-->"),
]
#: The longest piece a strategy builds (repeats of repeats would otherwise explode).
PIECE_CHARS = 30_000


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    repeated = st.tuples(inner, st.integers(2, 400)).map(lambda t: (t[0] * t[1])[:PIECE_CHARS])
    nested = st.tuples(st.sampled_from(WRAPPERS), inner, st.booleans()).map(
        lambda t: t[0][0] + t[1] + (t[0][1] if t[2] else "")
    )
    joined = st.lists(inner, min_size=2, max_size=6).map("".join)
    return repeated | nested | joined


pieces = st.recursive(st.sampled_from(FRAGMENTS), _grow, max_leaves=12)
hostile_pages = st.lists(pieces, min_size=1, max_size=8).map(lambda parts: HEAD + "\n".join(parts))
# Generous per example (most take well under 0.1 s): what it catches is the square of a
# 100 KB page, which takes minutes. derandomize: the same examples on every run.
HOSTILE = settings(
    max_examples=60,
    deadline=timedelta(seconds=10),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check_bounds(record, text: str) -> None:  # type: ignore[no-untyped-def]
    assert set(record.line_kinds.values()) <= set(LINE_KINDS)
    assert {w.code for w in record.warnings} <= set(WARNING_CODES)
    assert len(record.twins) + len(record.activities) <= MAX_PAGE_ITEMS + MAX_LIST_ITEMS
    per_line = Counter(w.line for w in record.warnings if w.line)
    # MAX_WARNINGS_PER_LINE listed, then at most the count of the others, a cut-off, a
    # duplicate id and the page's count of skipped list lines.
    assert max(per_line.values(), default=0) <= MAX_WARNINGS_PER_LINE + 4
    assert all(len(w.text) <= MAX_LINE_CHARS + 1 for w in record.warnings)
    assert sum(len(w.text) + len(w.message) for w in record.warnings) <= 25 * len(text) + 500


@HOSTILE
@given(hostile_pages)
def test_pages_of_repeated_unclosed_and_nested_fragments_read_within_bounds(page: str) -> None:
    for read in (read_text, read_html):
        try:
            record = read(page, "hostile.txt", city="Liège")
        except CitynetError:
            continue  # citynet's own one-line errors are allowed, nothing else
        _check_bounds(record, page)
    try:
        record = read_page(Path("hostile.html"), text=page)  # text or HTML by content
    except CitynetError:
        return
    _check_bounds(record, page)


# -- the resolver's candidate generation ----------------------------------------------

#: Place lines that make the resolver work hardest, each repeated with a counter so no
#: two names share the gazetteer's memo: very long names, many words (qualifiers and
#: abbreviations to try), names one letter off large cities of large countries (close
#: spellings compare them with thousands of gazetteer names), and pairs ("A & B").
RESOLVER_LINES = {
    "very long place names": lambda i: f"Saint {'Bremerhavenx' * 1_500}{i}",
    "many words": lambda i: " ".join(["S.", "do", "an der", "Ruhr"] * 50) + f" x{i}",
    "near-miss spellings": lambda i: (
        f"{['Springfielx', 'Sacramentu', 'Stuttgarz', 'Saopaulu'][i % 4]}{i:04d}"
        f" ({['United States', 'United States', 'Germany', 'Brazil'][i % 4]})"
    ),
    "pairs": lambda i: f"Springfiel{i} & Sacrament{i} (United States)",
}

_MEASURE_RESOLVE = _PEAK_MB + textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from citynet.read.pages import read_page
    from citynet.resolve.gazetteer import default_gazetteer
    from citynet.resolve.resolution import resolve_records
    gazetteer = default_gazetteer()
    gazetteer.city_matches("Liège")  # open the index before timing
    for path in sys.argv[1:]:
        start = time.process_time()
        record = read_page(Path(path), city="Liège")
        resolution = resolve_records([record], gazetteer=gazetteer)
        print(json.dumps({
            "chars": len(open(path, encoding="utf-8").read()),
            "seconds": time.process_time() - start,
            "mb": peak_mb(),
            "twins": len(record.twins),
            "limits": [w.message for w in resolution.warnings if w.code == "limit"],
        }), flush=True)
    """
)


def resolver_page(construct: str, size: int) -> str:
    parts, total, index = [HEAD, "Twinned with:\n"], len(HEAD), 0
    while total < size:
        line = "- " + RESOLVER_LINES[construct](index)[: MAX_LINE_CHARS - 10] + "\n"
        parts.append(line)
        total, index = total + len(line), index + 1
    return "".join(parts)


@pytest.mark.parametrize("construct", sorted(RESOLVER_LINES))
def test_resolving_time_and_memory_grow_linearly(construct: str, tmp_path: Path) -> None:
    paths = []
    for size in (1_000, 10_000, 100_000, 1_000_000):
        path = tmp_path / f"{size}.txt"
        path.write_text(resolver_page(construct, size), encoding="utf-8")
        paths.append(path)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE_RESOLVE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 4 and rows[0]["twins"] > 0, rows
    small, large = rows[2], rows[3]
    # Ten times the page: at most 30 times the time (the square would be 100 times).
    assert large["seconds"] <= 30 * max(small["seconds"], 0.05), rows
    assert max(r["seconds"] for r in rows) < 5, rows
    assert max(r["mb"] for r in rows) < 300, rows


def test_a_place_name_above_the_limit_is_not_looked_up() -> None:
    from citynet.resolve.places import MAX_NAME_CHARS
    from citynet.resolve.resolution import resolve_records

    long_name = "Bremen" + "x" * MAX_NAME_CHARS
    rec = read_text(HEAD + f"Twinned with: {long_name}, Bremen\n", "long.txt", city="Liège")
    resolution = resolve_records([rec])
    assert [t.place.geonames_id for t in rec.twins] == [None, 2944388]
    limits = [(w.line, w.message) for w in resolution.warnings if w.code == "limit"]
    assert limits == [
        (5, f"place name of {len(long_name):,} characters not looked up (limit {MAX_NAME_CHARS})")
    ]


def test_close_spellings_beyond_the_page_limit_stay_unresolved_with_one_warning() -> None:
    from citynet.resolve.places import MAX_CLOSE_SPELLINGS
    from citynet.resolve.resolution import resolve_records

    twins = [f"- Qzqzqz{i:03d} (Germany)" for i in range(60)]  # no place, near or not
    twins[-1] = "- Bremerhafen (Germany)"  # one letter from Bremerhaven: past the limit
    rec = read_text(HEAD + "Twinned with:\n" + "\n".join(twins) + "\n", "f.txt", city="Liège")
    resolution = resolve_records([rec])
    limits = [(w.line, w.message) for w in resolution.warnings if w.code == "limit"]
    assert limits == [
        (
            6 + MAX_CLOSE_SPELLINGS,
            f"further names of this page not tried as close spellings"
            f" (limit {MAX_CLOSE_SPELLINGS} a page)",
        )
    ]
    assert rec.twins[-1].place.geonames_id is None
    # Within the limit the same name is read as its close spelling.
    rec = read_text(HEAD + "Twinned with: Bremerhafen (Germany)\n", "g.txt", city="Liège")
    resolve_records([rec])
    assert rec.twins[0].place.resolved_name == "Bremerhaven"
