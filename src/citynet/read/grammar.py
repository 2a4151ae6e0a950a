"""The line grammar: the patterns a line is matched against, and the small word tests.

Every pattern is precompiled, anchored where it classifies a whole line, and free of
nested quantifiers over overlapping classes (no catastrophic backtracking). Word lists
that are tried at every position (event words) are compiled as tries.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from citynet.read.dates import trie_regex
from citynet.read.placewords import COUNTRY_NAMES, REGION_WORDS, fold

#: How a rule reports a problem on the line it reads: (message, warning code, column).
Warn = Callable[[str, str, int | None], None]

_I = re.IGNORECASE
MULTISPACE = re.compile(r" {2,}")
HEADER = re.compile(r"^#\s*(?P<k>[A-Za-z][\w-]*)\s*:\s*(?P<v>.*)$")
BULLET = re.compile(r"^(?:[•·▪◦‣●■□➢►✓]\s*|[-*–—+]\s+|\d{1,3}[.)]\s+)")
NUMBERED = re.compile(r"^(?P<n>\d{1,2})\s*\.\s*(?P<h>\D.*)$")
_SECTIONS = (
    ("general", r"general\s+information|general\s+info|informations?\s+g[ée]n[ée]rales?"),
    (
        "network",
        r"the\s+(?:city|town|region|municipality)\s+(?:in|and|within)\s+(?:our|the)\s+network"
        r"|la\s+(?:ville|r[ée]gion|commune)\s+(?:au\s+sein\s+de|dans)\s+(?:notre|le)\s+r[ée]seau",
    ),
    (
        "practices",
        r"(?:project\s+files|best\s+practices?(?:\s+forms?)?|practices"
        r"|fiches?\s+(?:de\s+)?(?:bonnes\s+)?pratiques?|fiches?\s+projets?)(?:\s*\(.{0,60}\))?",
    ),
    (
        "further",
        r"further\s+information|more\s+information|pour\s+en\s+savoir\s+plus"
        r"|en\s+savoir\s+plus|informations?\s+compl[ée]mentaires?",
    ),
)
SECTION_RE = re.compile(
    "^(?:" + "|".join(f"(?P<{name}>{pat})" for name, pat in _SECTIONS) + r")\s*:?$", _I
)
FR_HEADINGS = re.compile(r"informations?\s+g[ée]n[ée]rales|la\s+ville|fiches|savoir", _I)
SUBSECTION = re.compile(
    r"^(?:the|la|le)\s+(?:city|town|region|municipality|ville|r[ée]gion|commune)\s+"
    r"(?:and|et)\s+(?P<rest>.{1,160}?)\s*:?$",
    _I,
)
EFUS_NAMES = frozenset(
    fold(n)
    for n in (
        "efus",
        "the efus",
        "l'efus",
        "l’efus",
        "fesu",
        "european forum for urban security",
        "the european forum for urban security",
        "forum européen pour la sécurité urbaine",
        "le forum européen pour la sécurité urbaine",
    )
)
POPULATION = re.compile(r"^(?:population|habitants|inhabitants)\s*(?::|(?=\d))\s*(?P<v>.*)$", _I)
POP_VALUE = re.compile(
    r"^(?:about|approx\.?|approximately|around|environ|ca\.?|circa|more\s+than|over|plus\s+de)?"
    r"\s*(?P<n>\d{1,3}(?:[ .,’']\d{3})+|\d+)(?:[.,](?P<dec>\d{1,2})(?!\d))?"
    r"\s*(?P<mult>millions?|mio\.?|thousand)?\s*(?P<rest>.{0,200})$",
    _I,
)
POP_REST = re.compile(
    r"^(?:(?:inhabitants?|inh\.?|hab\.?|habitants?|residents?|people|einwohner|habitantes)\b)?"
    r"\s*[,;]?\s*(?:\(?\s*(?:in\s+|en\s+|census\s+)?(?P<year>[12]\d{3})\s*\)?)?\s*\.?$",
    _I,
)
LOCATION = re.compile(r"^(?:location|localisation|situation|lieu)\s*:\s*(?P<v>.*)$", _I)
LOCATION_SPLIT = re.compile(r"\s*,\s*|\s+[–—-]\s+|\s*/\s*")
WEBSITE = re.compile(
    r"^(?P<k>(?:official\s+)?web\s*-?site\b[^:]{0,100}|site\s+(?:officiel|internet|web)\b"
    r"[^:]{0,100}|blog\b[^:]{0,100}|homepage\b[^:]{0,100}|page\s+web\b[^:]{0,100})"
    r"(?:\s*:\s*(?P<v>.*))?$",
    _I,
)
# A web address in text: "http://", "https://" or "www." and a run of address characters.
_URL_RUN = re.compile(r"(?:https?://|www\.)(?P<run>[^\s<>\[\]\"”″]*+)", _I)
SAFETY = re.compile(
    r"^(?:(?:local\s+)?safety\s+contracts?|contrats?\s+(?:local\s+)?de\s+s[ée]curit[ée]"
    r"|contrat\s+local\s+de\s+s[ée]curit[ée])\b(?P<v>.*)$",
    _I,
)
TWINS = re.compile(
    r"^(?:twinned\s+with|twin\s+(?:cities|towns)|sister\s+cities|jumel[ée]e?s?\s+avec"
    r"|jumelages?|villes\s+jumelles)\s*:?\s*(?P<v>.*)$",
    _I,
)
OTHER_NETWORKS = re.compile(
    r"^(?:participation|member(?:ship)?|membre)\s+(?:in|of|to|dans|de|d['’]autres)\s+"
    r"(?:other\s+)?(?:european|international|national|r[ée]seaux)\b",
    _I,
)
ACTIVITY_LABEL = re.compile(
    r"^(?P<k>participated(?:\s+in)?|participation(?:\s+(?:in|to|à))?|took\s+part\s+in"
    r"|attended|attendance|pr[ée]sence|hosted|host\s+of|accueil(?:li)?|a\s+accueilli"
    r"|a\s+particip[ée]\s+[àa]|activities|activités)\b\s*(?::\s*(?P<v>.*)|$)",
    _I,
)
# The first words every label pattern below can start with (a cheap gate before them).
LABEL_START = re.compile(
    r"^(?:the|la|le|population|habitants|inhabitants|location|localisation|situation|lieu"
    r"|local|safety|contrat|twin|sister|jumel|villes|official|web|site|blog|homepage|page"
    r"|participat|member|membre|took|attend|pr[ée]sen|hosted|host|accueil|a\s|activit"
    r"|vice|pr[ée]sident|co-?chair|chair|found)",
    _I,
)
PRACTICE_LABEL = re.compile(r"^practices\s+cited\s+in\s+publications\s*:?$", _I)
EXCO = re.compile(
    r"^(?:member|membre)\s+(?:of\s+(?:the\s+)?|du\s+|de\s+la\s+|de\s+l['’]\s*)"
    r"(?:executi(?:ve|f)\s+(?:committee|comit[ée]|board)|ex[ée]cuti(?:ve|f)\s+(?:committee|board)"
    r"|comit[ée]\s+ex[ée]cutif|bureau)\b(?P<tail>.{0,300})$",
    _I,
)
PRESIDENT = re.compile(
    r"^(?P<o>vice[-\s]?pr[ée]sident(?:e)?|pr[ée]sident(?:e)?|co-?chair(?:man|woman|person)?"
    r"|chair(?:man|woman|person)?)\b"
    # what may follow: nothing, ":", "(", a year, or "of/since/from/between ..." -- not
    # prose such as "President Macron visited ..."
    r"(?P<tail>(?:\s*[:(–-]|\s+(?:of|du|de|des|since|from|between|depuis|entre|in)\b"
    r"|\s+\d|\s*$).{0,300})$",
    _I,
)
OF_BODY = re.compile(
    r"^\s+(?:of|du|de\s+la|de\s+l['’]|de|des)\s+(?:the\s+)?(?P<body>.+?)"
    r"\s*(?=:|\bsince\b|\bdepuis\b|\bfrom\b|\bbetween\b|\bentre\b|\bin\s+\d|$)",
    _I,
)
MEMBER = re.compile(
    r"^(?P<f>founding\s+|founder\s+)?(?:member|membre(?P<f2>\s+fondateur)?)\b(?P<tail>.{0,300})$",
    _I,
)
MEMBER_OF = re.compile(
    r"^\s+(?:of|du|de\s+la|de\s+l['’]|de)\s+(?:the\s+)?(?P<body>[^:]+?)"
    r"\s*(?=:|\bsince\b|\bdepuis\b|\bfrom\b|$)",
    _I,
)
SINCE_WORDS = re.compile(r"\b(?:since|depuis|from|à\s+partir\s+de|seit|desde)\b", _I)
BOILERPLATE = re.compile(
    r"^(?:also\s+in\b.*|aussi\s+en\b.*|également\s+en\b.*|also\s+available\s+in\b.*"
    r"|\S+\.(?:svg|png|jpe?g|gif|webp)|blason|logo|coat\s+of\s+arms|wappen|escudo|image|photo"
    r"|available\s+soon|coming\s+soon|bient[ôo]t\s+disponible|disponible\s+prochainement"
    r"|to\s+be\s+completed|à\s+venir|n/?a|[-–—_*.]+|(?:version\s+)?(?:français|english))$",
    _I,
)
TITLE_PREFIX = re.compile(
    r"^(?:logo|blason(?:\s+de)?|coat\s+of\s+arms(?:\s+of)?|wappen(?:\s+von)?|escudo(?:\s+de)?)"
    r"\s+",
    _I,
)
TITLE_CITY_PREFIX = re.compile(
    r"^(?:ville\s+d[e']\s*|city\s+of\s+|stadt\s+|municipality\s+of\s+|comune\s+di\s+"
    r"|ayuntamiento\s+de\s+|c[âa]mara\s+municipal\s+d[eo]\s+|gemeente\s+)",
    _I,
)
TITLE_LINE = re.compile(r"^[^\W\d_][^\d:;!?@#]{0,58}$")


def _forms(kind: str, words: str) -> dict[str, str]:
    """'conference(s)|conférence(s)' -> every written form, singular and plural."""
    out: dict[str, str] = {}
    for word in words.split("|"):
        if word.endswith("(s)"):
            out[word[:-3]] = out[word[:-3] + "s"] = kind
        else:
            out[word] = kind
    return out


#: Event words and their kind; the earliest word in a title decides (and at the same
#: place the longest: "executive committee meeting" is an executive-committee event).
EVENT_WORDS: dict[str, str] = {
    **_forms(
        "general-assembly",
        "general assembly|general assemblies|assemblée générale|assemblées générales"
        "|assemblee generale|asamblea general",
    ),
    **_forms(
        "executive-committee",
        "executive committee|executif committee|exécutif committee|comité exécutif"
        "|comite executif|executive board",
    ),
    **_forms(
        "working-group",
        "working group(s)|work group(s)|workgroup(s)|groupe de travail|groupes de travail",
    ),
    **_forms("field-visit", "field visit(s)|study visit(s)|site visit(s)|visite(s)|visit(s)"),
    **_forms("seminar", "seminar(s)|séminaire(s)|seminaire(s)|seminario"),
    **_forms("debate", "debate(s)|débat(s)|debat(s)"),
    **_forms("workshop", "workshop(s)|atelier(s)"),
    **_forms(
        "conference",
        "conference(s)|conférence(s)|colloque(s)|congress|congrès|congres|symposium|summit|sommet",
    ),
    **_forms("meeting", "meeting(s)|réunion(s)|reunion(s)|rencontre(s)"),
    **_forms("presentation", "presentation(s)|présentation(s)"),
}
EVENT_RE = re.compile(r"\b(?:" + trie_regex(sorted(EVENT_WORDS)) + r")\b", _I)


_REGION_START = re.compile(
    "^(?:" + "|".join(re.escape(w) for w in sorted(REGION_WORDS, key=len, reverse=True)) + r")\b"
)
_HAS_DIGIT = re.compile(r"\d")
# Starts only where a run of capitals starts, so a search is linear too.
_ORGANISER = re.compile(r"(?<![A-Z])[A-Z]{2,}+(?:[-/][A-Z]{2,}+)+")
# Institutions, venues and working groups written where an event's place goes
# ("European Parliament", "the Senate", "City Hall", "Ministry of the Interior"): kept as
# part of the event's text, never a place. Matched on case-folded text.
_NOT_A_PLACE = re.compile(
    r"\b(?:parliament|parlement|senate|s[eé]nat|ministry|minist[eè]re|ministerio|council"
    r"|conseil|commission|city hall|town hall|h[oô]tel de ville|mairie|headquarters"
    r"|university|universit[eé]|universidad|palace|palais|chamber|embassy|committee"
    r"|working group|project|programme|secretariat|pr[eé]fecture)\b"
)
# A national forum's acronym ("FFSU", "FEPSU", "DEFUS"): capitals ending in "FUS"/"FSU"/
# "PSU" (Forum ... Sécurité Urbaine / Urban Security), never a city.
_FORUM_ACRONYM = re.compile(r"[A-Z]{1,4}(?:FUS|FSU|PSU)")
_OPENING_QUOTES, _CLOSING_QUOTES = '«“"„', '»”"'
_ARTICLE = re.compile(r"^(?:the|le|la|l['’])\s*", _I)
_ABBREVIATION = re.compile(r"\(([^()]{2,80})\)\s*$")
_NATIONAL_FORUM = re.compile(r"^national\s+forum\s*,\s*(?:the\s+)?", _I)


def urls_in_text(text: str) -> list[str]:
    """The web addresses written in ``text``: a scheme (or "www.") and a run of address
    characters with a dot inside it ("www.liege.be", not "http://localhost").

    One pass: a run without such a dot is skipped whole (any later "http://" in it has
    no dot either), where a backtracking pattern would rescan it from every start.
    """
    urls = []
    pos = 0
    while (m := _URL_RUN.search(text, pos)) is not None:
        if "." in m.group("run")[1:-1]:  # a dot with an address character on each side
            urls.append(m.group())
        pos = m.end()
    return urls


def word_count(text: str) -> int:
    return len(text.split())


def is_prose(text: str) -> bool:
    n = word_count(text)
    return n >= 8 or (n >= 4 and text[-1:] in ".!?…")


def tidy(text: str) -> str:
    """Trim separators a title or name keeps at its ends; one space between words."""
    return MULTISPACE.sub(" ", text).strip(" ,;:.–—-(\t").strip()


def event_kind_of(*texts: str | None) -> str | None:
    for text in texts:
        if text:
            m = EVENT_RE.search(text)
            if m:
                return EVENT_WORDS.get(m.group().lower(), "other")
    return None


def is_country(text: str) -> bool:
    return fold(text) in COUNTRY_NAMES


def looks_like_place(text: str) -> bool:
    """A short capitalised name without digits or event words ("São João da Madeira")."""
    text = text.strip()
    if not text or len(text) > 60 or _HAS_DIGIT.search(text):
        return False
    if not (text[0].isupper() or text[0] in '«“"'):
        return False
    if EVENT_RE.search(text) or "efus" in text.lower() or "forum" in text.lower():
        return False
    if word_count(text) > 5:
        return False
    if _NOT_A_PLACE.search(fold(text)) or _FORUM_ACRONYM.fullmatch(text):
        return False
    if len(text) > 1 and text[0] in _OPENING_QUOTES and text[-1] in _CLOSING_QUOTES:
        return False  # a quoted title, not a place
    # An organiser written in capitals with a hyphen ("Efus-FFSU") is not a place.
    return not _ORGANISER.fullmatch(text)


def place_kind(name: str) -> str:
    return "region" if _REGION_START.match(fold(name)) else "city"


def body_name(text: str) -> str:
    """'the National Forum (DEFUS)' -> 'DEFUS'; 'the Efus' -> 'efus'."""
    text = tidy(text)
    text = _ARTICLE.sub("", text).strip()
    if fold(text) in EFUS_NAMES or fold(text).startswith("efus"):
        return "efus"
    m = _ABBREVIATION.search(text)
    if m:
        inner = m.group(1).strip()
        return "efus" if fold(inner) in EFUS_NAMES else inner
    text = _NATIONAL_FORUM.sub("", text)
    return text or "national forum"
