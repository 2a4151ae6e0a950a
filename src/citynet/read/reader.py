"""The line reader: every non-blank line of a page classified once, top to bottom.

A small state carries from line to line: the section ("general", "network",
"practices", "further"), the body the lines speak of (Efus or a national forum), and the
list being read (twins or activities, with its role). Each line ends in
``PageRecord.line_kinds`` as one of :data:`citynet.read.pages.LINE_KINDS`; a line that
carries no fact and is not structure, boilerplate or prose also gets a
:class:`PageWarning`. Nothing is dropped silently. What a twin list or an activity line
says is read by :mod:`citynet.read.twins` and :mod:`citynet.read.activities`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from citynet.read import activities, grammar
from citynet.read.dates import DateHit, find_dates, year_of
from citynet.read.limits import (
    MAX_LINE_CHARS,
    MAX_PAGE_ITEMS,
    MAX_WARNINGS_PER_LINE,
    QUOTED_CHARS,
)
from citynet.read.links import DQ, WEB_URL, Link, brackets_balanced, scan_links, shift_links
from citynet.read.placewords import REGION_NAMES, fold
from citynet.read.records import (
    ActivityMention,
    Membership,
    Office,
    PageRecord,
    PageWarning,
    Period,
)
from citynet.read.twins import FRIENDSHIP, read_twin_list

_I = re.IGNORECASE
_NON_DIGIT = re.compile(r"\D")
_COMMITTEE = re.compile(r"committee|comit|board|bureau", _I)
_FOUNDER = re.compile(r"^fondateur\b", _I)
_FUNCTION_WORDS = frozenset([
    "a", "an", "and", "at", "by", "de", "des", "du", "for", "from", "in", "into", "la",
    "le", "les", "of", "on", "or", "the", "to", "with", "et", "en", "au", "aux", "d", "l",
    "un", "une",
])  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(slots=True)
class Line:
    index: int  # 0-based in the text
    raw: str  # normalised, not stripped
    text: str  # stripped, spaces collapsed
    body: str  # bullet removed
    bullet: bool
    offset: int  # where body starts in text


class LineReader:
    def __init__(self, name: str, text: str, line_map: Sequence[int] | None) -> None:
        self.name = name
        self.lines = text.split("\n")
        self.line_map = line_map
        self.rec = PageRecord(path=name, content_sha256="")
        self.section: str | None = None
        self.body = "efus"
        self.ctx: str | None = None  # "twins" | "activities"
        self.ctx_role: str | None = None
        self.header_city: tuple[str, int] | None = None
        self.title_city: tuple[str, int] | None = None
        self.seen_structure = False
        self.fr = 0  # votes of French and English labels decide the page's language
        self.en = 0
        self.lang_header: str | None = None
        self.paragraphs: list[list[tuple[int, str]]] = []
        self.para_open = False
        self.consumed: set[int] = set()
        self.last: Line | None = None
        self.listed: dict[int, int] = {}  # warnings per line number
        self.unlisted: dict[int, tuple[int, str]] = {}  # beyond the limit: (count, text)
        self.skipped_items: list[int] = []  # list lines beyond MAX_PAGE_ITEMS

    # -- bookkeeping ---------------------------------------------------------------
    def ln(self, index: int) -> int:
        if self.line_map is not None and index < len(self.line_map):
            return self.line_map[index]
        return index + 1

    def mark(self, line: Line, kind: str) -> None:
        key = self.ln(line.index)
        old = self.rec.line_kinds.get(key)
        if old is None or kind == "warning":  # HTML: one entry per source line, warning wins
            self.rec.line_kinds[key] = kind
        if kind == "prose":
            if not self.para_open:
                self.paragraphs.append([])
                self.para_open = True
            self.paragraphs[-1].append((line.index, scan_links(line.body, 1)[0]))
        else:
            self.para_open = False

    def warn(
        self, line: Line, message: str, code: str = "unmapped", col: int | None = None
    ) -> None:
        number = self.ln(line.index)
        listed = self.listed[number] = self.listed.get(number, 0) + 1
        if listed > MAX_WARNINGS_PER_LINE:  # counted in one last warning (finish)
            self.unlisted[number] = (listed - MAX_WARNINGS_PER_LINE, line.text)
            return
        self.rec.warnings.append(PageWarning(self.name, number, line.text, message, col, code))

    def dates(self, line: Line, text: str) -> list[DateHit]:
        """The dates in ``text``; the rejected ones are warned about."""
        hits = find_dates(text)
        for h in hits:
            if h.problem:
                self.warn(line, f"{h.problem.message}: {h.text!r}", h.problem.code)
        return hits

    def nofact(self, line: Line, message: str, code: str = "unmapped") -> None:
        self.warn(line, message, code)
        self.mark(line, "warning")

    def warner(self, line: Line) -> grammar.Warn:
        """The :data:`grammar.Warn` of the rules that read ``line``."""

        def warn(message: str, code: str, col: int | None) -> None:
            self.warn(line, message, code, col)

        return warn

    # -- main loop -----------------------------------------------------------------
    def run(self) -> PageRecord:
        for index, raw in enumerate(self.lines):
            if index in self.consumed:
                continue
            if len(raw) > MAX_LINE_CHARS:
                self.skip_long_line(index, raw)
                continue
            text = (grammar.MULTISPACE.sub(" ", raw) if "  " in raw else raw).strip()
            if not text:
                self.para_open = False
                continue
            bullet = grammar.BULLET.match(text)
            body = text[bullet.end() :] if bullet else text
            line = Line(index, raw, text, body.strip(), bool(bullet), bullet.end() if bullet else 0)
            self.last = line
            self.read_line(line)
        self.finish()
        return self.rec

    def skip_long_line(self, index: int, raw: str) -> None:
        """A line above :data:`MAX_LINE_CHARS` is not read; its warning quotes its start."""
        shown = " ".join(raw[: QUOTED_CHARS * 2].split())[:QUOTED_CHARS] + "…"
        line = Line(index, raw, shown, shown, False, 0)
        message = f"line of {len(raw):,} characters not read (limit {MAX_LINE_CHARS:,} a line)"
        self.nofact(line, message, "limit")
        self.last = None  # nothing of it was read: it cannot be a cut-off fact

    def read_line(self, line: Line) -> None:
        text = line.text
        m = grammar.HEADER.match(text)
        if m:
            self.read_header(line, m.group("k").lower(), m.group("v").strip())
            return
        if text.startswith("#"):  # a markdown heading: read what follows the hashes
            text = text.lstrip("#").strip()
            line = Line(line.index, line.raw, text, text, False, 0)
        if self.read_heading(line):
            return
        clean, links, problems = scan_links(line.body, line.offset + 1)
        for col, message, code in problems:
            self.warn(line, message, code, col)
        if self.section == "further":
            self.mark(line, "prose")
            return
        if self.section == "practices":
            self.read_practices(line, clean)
            return
        if self.read_labelled(line, clean, links):
            return
        if self.ctx == "twins" and line.bullet:
            self.read_twins(line, clean, bulleted=True)
            return
        if self.ctx == "twins":
            self.ctx = None
        if self.ctx == "activities" and (line.bullet or not self._prose_without_date(clean)):
            self.read_activity(line, clean, links, self.ctx_role)
            return
        if self.ctx == "activities":
            self.ctx = None
        if self.section is None and not self.seen_structure and self.read_preamble(line, clean):
            return
        if grammar.BOILERPLATE.match(clean):
            self.mark(line, "boilerplate")
            return
        if (
            self.section == "network"
            and (
                any(h.period or h.problem for h in find_dates(clean))
                or grammar.EVENT_RE.search(clean)
            )
            and not self._prose_without_date(clean)
        ):
            self.read_activity(line, clean, links, None)
            return
        if grammar.is_prose(clean) and not line.bullet:
            self.mark(line, "prose")
            return
        if grammar.is_prose(clean) and self.section in (None, "general"):
            self.mark(line, "prose")
            return
        if self.section == "general" and not line.bullet and grammar.word_count(clean) <= 6:
            self.nofact(line, "a link or label without an address or value in the text form")
            return
        self.nofact(line, "line not understood: it carries no fact the reader knows")

    @staticmethod
    def _prose_without_date(clean: str) -> bool:
        return grammar.word_count(clean) >= 12 and clean[-1:] in ".!?" and not find_dates(clean)

    # -- headers, headings, preamble -----------------------------------------------
    def read_header(self, line: Line, key: str, value: str) -> None:
        self.mark(line, "header")
        if key == "source":
            self.rec.source_url = value or None
        elif key == "city":
            if value:
                self.header_city = (value, line.index)
        elif key in ("lang", "language"):
            self.lang_header = value.lower()[:8] or None
        else:
            self.warn(line, f"unknown header '# {key}:' ignored", "unknown-header")

    def read_heading(self, line: Line) -> bool:
        text = line.text
        if len(text) > 120:  # headings are short
            return False
        numbered = grammar.NUMBERED.match(text)
        candidate = numbered.group("h").strip() if numbered else text
        candidate = candidate.rstrip(" :").strip()
        m = grammar.SECTION_RE.match(candidate)
        # An unknown numbered heading ends with a colon or is a few words of no list.
        listing = "," in candidate or any(c.isdigit() for c in candidate)
        few_words = grammar.word_count(candidate) <= 5 and not listing
        if m:
            self.section = m.lastgroup
            french = grammar.FR_HEADINGS.search(candidate)
            if french and not candidate.lower().startswith(("the", "general")):
                self.fr += 1
            else:
                self.en += 1
        elif numbered and (text.endswith(":") or few_words):
            self.section = "other"
        else:
            return False
        self.seen_structure = True
        self.ctx = None
        self.body = "efus"
        self.mark(line, "heading")
        return True

    def read_preamble(self, line: Line, clean: str) -> bool:
        """Lines above the first section: the city's name, logos, language switches."""
        if grammar.BOILERPLATE.match(clean):
            self.mark(line, "boilerplate")
            return True
        prefixed = grammar.TITLE_PREFIX.match(clean)
        title_like = grammar.TITLE_LINE.match(clean) and grammar.word_count(clean) <= 6
        if self.title_city is None and title_like:
            name = clean[prefixed.end() :] if prefixed else clean
            name = grammar.TITLE_CITY_PREFIX.sub("", name).strip(" .")
            if name and not grammar.is_prose(clean):
                self.title_city = (name, line.index)
                self.mark(line, "title")
                return True
        if prefixed:
            self.mark(line, "boilerplate")
            return True
        return False

    def read_practices(self, line: Line, clean: str) -> None:
        if grammar.BOILERPLATE.match(clean):
            self.mark(line, "boilerplate")
        elif grammar.PRACTICE_LABEL.match(clean):
            self.mark(line, "label")
        else:
            self.nofact(line, "best-practice forms are not part of the graph")

    # -- labelled lines --------------------------------------------------------------
    def read_labelled(self, line: Line, clean: str, links: list[Link]) -> bool:
        """A line that starts with a label ("Population:", "Twinned with:", "President
        of ..."): read it and say True, or say False when no label fits."""
        if not grammar.LABEL_START.match(clean):  # most list items: skip the label patterns at once
            return False
        # Office and membership patterns only make sense on short lines.
        long = len(clean) > 4000
        if not long and (m := grammar.SUBSECTION.match(clean)):
            self.read_subsection(line, clean, m.group("rest"))
        elif m := grammar.POPULATION.match(clean):
            self.read_population(line, m.group("v"))
        elif m := grammar.LOCATION.match(clean):
            self.read_location(line, m.group("v"))
        elif m := grammar.SAFETY.match(clean):
            self.read_safety(line, m.group("v"))
        elif m := grammar.TWINS.match(clean):
            self.read_twins_label(line, clean, links, m)
        elif (
            not long
            and (m := grammar.WEBSITE.match(clean))
            and (m.group("v") is not None or grammar.word_count(clean) <= 12)
        ):
            self.read_website(line, clean, links, m.group("v"))
        elif not long and grammar.OTHER_NETWORKS.match(clean):
            self.nofact(line, "membership of other networks is not part of the graph")
        elif not long and (m := grammar.ACTIVITY_LABEL.match(clean)):
            self.read_activity_label(line, clean, links, m)
        elif long:
            return False
        elif m := grammar.EXCO.match(clean):
            self.read_office(line, "executive-committee", self.body, m.group("tail"))
        elif (m := grammar.PRESIDENT.match(clean)) and grammar.word_count(clean) <= 25:
            self.read_president(line, m)
        else:
            m = grammar.MEMBER.match(clean)
            return bool(m and self.read_membership(line, m))
        return True

    def read_subsection(self, line: Line, clean: str, rest: str) -> None:
        """A subsection ("The city and the national forum:"): the lines below speak of it."""
        self.body = grammar.body_name(rest)
        self.fr += clean.lower().startswith("la ")
        self.ctx = None
        self.seen_structure = True
        self.section = self.section or "network"
        self.mark(line, "label")

    def read_twins_label(self, line: Line, clean: str, links: list[Link], m: re.Match) -> None:
        """A twins label ("Twinned with: ...") with the twins after it, or heading a list."""
        self.seen_structure = True
        self.en += clean[:1] in "Tt"
        self.ctx = "twins"
        if m.group("v").strip():
            self.read_twins(line, m.group("v"), bulleted=False)
        else:
            self.mark(line, "label")

    def read_activity_label(self, line: Line, clean: str, links: list[Link], m: re.Match) -> None:
        """An activity label ("Participated in:", "Hosted:" ...): the head of a list,
        giving the list's role (attendee, host), or one activity after the colon."""
        key = m.group("k").lower()
        self.ctx = "activities"
        self.seen_structure = True
        self.section = self.section or "network"
        if key.startswith(("présence", "presence", "participation", "accueil", "a ")):
            self.fr += not key.startswith("presence")
        else:
            self.en += 1
        attend = key.startswith(("attend", "présence", "presence"))
        host = key.startswith(("host", "accueil", "a accueilli"))
        self.ctx_role = "attendee" if attend else "host" if host else None
        value = m.group("v") or ""
        if value.strip():
            self.read_activity(line, value, shift_links(links, m.start("v")), self.ctx_role)
        else:
            self.mark(line, "label")

    def read_president(self, line: Line, m: re.Match) -> None:
        """An office ("(Vice-)President of the national forum since 2010") and its body
        (the current body when none is named)."""
        tail = m.group("tail")
        body = self.body
        of = grammar.OF_BODY.match(tail)
        if of:
            body = grammar.body_name(of.group("body"))
            tail = tail[of.end() :]
        office = "vice-president" if m.group("o").lower().startswith("vice") else "president"
        self.read_office(line, office, body, tail)

    def read_population(self, line: Line, value: str) -> None:
        value = value.strip()
        self.seen_structure = True
        m = grammar.POP_VALUE.match(value)
        number: int | None = None
        year: int | None = None
        if m:
            digits = _NON_DIGIT.sub("", m.group("n"))
            mult = (m.group("mult") or "").lower()
            dec = m.group("dec")
            rest = m.group("rest")
            if mult.startswith(("million", "mio")):
                number = int(digits) * 1_000_000 + (int(dec.ljust(2, "0")) * 10_000 if dec else 0)
            elif mult == "thousand":
                number = int(digits) * 1000
            elif dec is None:
                number = int(digits)
            r = grammar.POP_REST.match(rest)
            if number is not None and r is None:
                self.warn(line, "text after the population number is not mapped", "population")
            elif r is not None and r.group("year"):
                year = int(r.group("year"))
        if not number:
            self.nofact(line, f"population {value!r} is not a number", "population")
            return
        self.rec.population = number
        self.rec.population_year = year
        self.rec.population_line = self.ln(line.index)
        self.mark(line, "population")

    def read_location(self, line: Line, value: str) -> None:
        value = grammar.tidy(value)
        self.seen_structure = True
        if not value:
            self.nofact(line, "location without a value", "unmapped")
            return
        parts = [p for p in grammar.LOCATION_SPLIT.split(value) if p]
        self.rec.location = value
        last = parts[-1]
        if len(parts) == 1 and fold(last) in REGION_NAMES and not grammar.is_country(last):
            self.rec.region = last
        else:
            self.rec.country = last
            self.rec.region = ", ".join(parts[:-1]) or None
        self.mark(line, "location")

    def read_safety(self, line: Line, value: str) -> None:
        self.seen_structure = True
        hits = self.dates(line, value)
        periods = [h.period for h in hits if h.period is not None]
        if not periods:
            self.nofact(line, "safety contract without a year", "no-date")
            return
        self.rec.safety_contracts.extend(
            Period(p.start[:4], p.end[:4] if p.end else None, p.text) for p in periods
        )
        self.mark(line, "safety-contract")

    def read_website(self, line: Line, clean: str, links: list[Link], value: str | None) -> None:
        self.seen_structure = True
        urls = [k.url for k in links if WEB_URL.match(k.url)] or grammar.urls_in_text(clean)
        if not urls and value is not None and not value.strip():
            # "Website of the crime prevention service:" with the link on the next line
            j = line.index + 1
            while j < len(self.lines) and not self.lines[j].strip():
                j += 1
            if j < len(self.lines) and len(self.lines[j]) <= MAX_LINE_CHARS:
                nxt = grammar.MULTISPACE.sub(" ", self.lines[j]).strip()
                n_clean, n_links, _ = scan_links(nxt, 1)
                if n_links and not n_clean.replace(n_links[0].label(n_clean), "", 1).strip():
                    self.mark(line, "label")
                    self.consumed.add(j)
                    nline = Line(j, self.lines[j], nxt, nxt, False, 0)
                    self.read_website(nline, n_clean, n_links, n_clean)
                    return
        if not urls:
            self.nofact(line, "website without an address in the text form", "no-url")
            return
        for url in urls:
            url = url if "://" in url else "http://" + url  # "www.liege.be"
            if url not in self.rec.websites:
                self.rec.websites.append(url)
        self.mark(line, "website")

    # -- twins and activities ------------------------------------------------------
    def beyond_page_limit(self, line: Line) -> bool:
        """Whether the page already has :data:`MAX_PAGE_ITEMS` twins and activities; the
        line is then skipped (one warning in :meth:`finish` counts the skipped lines)."""
        if len(self.rec.twins) + len(self.rec.activities) < MAX_PAGE_ITEMS:
            return False
        self.skipped_items.append(line.index)
        self.mark(line, "skipped")
        return True

    def read_twins(self, line: Line, clean: str, *, bulleted: bool) -> None:
        self.seen_structure = True
        if self.beyond_page_limit(line):
            return
        text = clean.strip()
        if FRIENDSHIP.search(text):
            self.nofact(line, "city friendships are not twinnings; not mapped", "not-twinning")
            return
        found = read_twin_list(
            text, bulleted=bulleted, line=self.ln(line.index), warn=self.warner(line)
        )
        if not found:
            self.nofact(line, "twin list entry without a city name", "unmapped")
            return
        self.rec.twins.extend(found)
        self.mark(line, "twin")

    def read_activity(
        self, line: Line, clean: str, links: list[Link], ctx_role: str | None
    ) -> None:
        self.seen_structure = True
        if self.beyond_page_limit(line):
            return
        mention = activities.read_activity(
            clean,
            links,
            ctx_role=ctx_role,
            line=self.ln(line.index),
            text=line.body,
            warn=self.warner(line),
        )
        if mention is None:
            self.nofact(line, "activity line without a title", "unmapped")
            return
        self.rec.activities.append(mention)
        self.mark(line, "activity")

    # -- memberships and offices ---------------------------------------------------
    def term(self, line: Line, tail: str) -> tuple[int | None, int | None, bool]:
        """(start year, end year, whether a date was rejected) of an office or membership."""
        hits = self.dates(line, tail)
        good = [h.period for h in hits if h.period is not None]
        rejected = any(h.problem for h in hits)
        if not good:
            return None, None, rejected
        first, last = good[0], good[-1]
        end = first.end or (last.end or last.start if len(good) > 1 else None)
        return year_of(first.start), year_of(end), rejected

    def read_office(self, line: Line, office: str, body: str, tail: str) -> None:
        self.seen_structure = True
        self.section = self.section or "network"
        start, end, _ = self.term(line, tail)
        self.rec.offices.append(Office(office, body, start, end, self.ln(line.index), line.body))
        self.mark(line, "office")

    def read_membership(self, line: Line, m: re.Match[str]) -> bool:
        tail = m.group("tail")
        founding = bool(m.group("f") or m.group("f2"))
        body = self.body
        of = grammar.MEMBER_OF.match(tail)
        if of:
            candidate = of.group("body").strip()
            if _COMMITTEE.search(candidate):
                return False
            body = grammar.body_name(candidate)
            tail = tail[of.end() :]
        rest = tail.strip(" :")
        if _FOUNDER.match(rest):
            founding = True
            rest = rest[len("fondateur") :].strip(" :")
        dated = rest == "" or grammar.SINCE_WORDS.match(rest) or rest[:1].isdigit()
        if not (dated or tail.lstrip().startswith(":")):
            return False
        self.seen_structure = True
        self.section = self.section or "network"
        self.fr += line.body.lower().startswith("membre")
        self.en += line.body.lower().startswith(("member", "founding"))
        start, _, rejected = self.term(line, rest)
        if start is None and not founding and not rejected:
            self.nofact(line, "membership without a year", "no-date")
            return True
        number = self.ln(line.index)
        self.rec.memberships.append(Membership(body, start, number, line.body, founding))
        self.mark(line, "membership")
        return True

    # -- end of page ---------------------------------------------------------------
    def finish(self) -> None:
        rec = self.rec
        if self.last is not None:
            self.check_cut(self.last)
        self.check_duplicate_ids()
        for number, (count, text) in self.unlisted.items():
            message = f"{count} more warnings on this line not listed"
            self.page_warning(number, text, f"{message} (limit {MAX_WARNINGS_PER_LINE} a line)")
        if self.skipped_items:
            first = self.skipped_items[0]
            message = f"{len(self.skipped_items):,} list lines from here on not read"
            limit = f"(limit {MAX_PAGE_ITEMS:,} twins and activities a page)"
            text = self.lines[first].strip()[:QUOTED_CHARS]
            self.page_warning(self.ln(first), text, f"{message} {limit}")
        rec.description = ["\n".join(text for _, text in para) for para in self.paragraphs if para]
        rec.warnings.sort(key=lambda w: (w.line, w.col or 0))
        if rec.country and rec.city:
            rec.city.country = rec.country
            rec.city.region = rec.region

    def page_warning(self, number: int, text: str, message: str, code: str = "limit") -> None:
        """A warning of the page-wide checks (not counted against a line's limit)."""
        self.rec.warnings.append(PageWarning(self.name, number, text, message, None, code))

    def check_duplicate_ids(self) -> None:
        """The same network id naming different activities: kept as two, with a warning."""
        seen: dict[tuple[str, str | None], ActivityMention] = {}
        for act in self.rec.activities:
            if not act.network_id:
                continue
            first = seen.setdefault((act.network_id, act.network_fragment), act)
            titled = bool(first.title and act.title)
            if first is not act and titled and fold(first.title) != fold(act.title):
                message = f"network id {act.network_id} also names {first.title!r}"
                message += "; kept as two activities"
                self.page_warning(act.line, act.text, message, "duplicate-id")

    def check_cut(self, line: Line) -> None:
        kind = self.rec.line_kinds.get(self.ln(line.index))
        if kind not in ("prose", "activity", "warning"):
            return
        raw = line.raw.rstrip("\n")
        clean, _, _ = scan_links(line.body, 1)
        words = _WORD.findall(clean)
        trailing_space = raw != raw.rstrip()
        quotes = len(DQ.findall(clean))
        unbalanced = quotes % 2 == 1 or not brackets_balanced(clean)
        ends_small = bool(words) and words[-1].lower() in _FUNCTION_WORDS and clean[-1:].isalpha()
        lone_word = len(words) == 1 and clean[-1:].isalpha() and kind != "activity"
        short_item = (
            kind == "activity"
            and bool(self.rec.activities)
            and self.rec.activities[-1].line == self.ln(line.index)
            and not self.rec.activities[-1].periods
            and not self.rec.activities[-1].network_id
            and len(words) <= 2
        )
        if not (trailing_space or unbalanced or ends_small or lone_word or short_item):
            return
        number = self.ln(line.index)
        self.rec.activities = [a for a in self.rec.activities if a.line != number]
        self.rec.warnings = [w for w in self.rec.warnings if w.line != number]
        self.listed.pop(number, None)
        self.unlisted.pop(number, None)
        self.paragraphs = [[(i, t) for i, t in p if self.ln(i) != number] for p in self.paragraphs]
        self.warn(line, "page cut off: this line is incomplete and gives no fact", "cut-off")
        self.rec.line_kinds[number] = "warning"
