"""The rules of `citynet fetch` on inputs written here: profile paths, file names,
sitemaps, links, Retry-After, the main content of a served page, the fetch log."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from pathlib import Path

import pytest
from fetch_replay import FIXTURES, PAGE_FIXTURES, profile_page

from citynet.errors import InputError
from citynet.fetch.client import retry_after
from citynet.fetch.content import main_content
from citynet.fetch.log import LOG_NAME, load_log, provenance_for
from citynet.fetch.urls import (
    gunzip,
    is_profile,
    page_filename,
    page_links,
    profile_matcher,
    sitemap_kind,
    sitemap_locations,
)


# -- unit rules -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/about-us/liege/", True),
        ("/about-us/las-palmas-de-gran-canaria", True),
        ("/a-propos-de-lefus/generalitat-de-catalunya/?lang=fr", True),
        ("/en/our-network/public/9212/", True),
        ("/about-us/", False),
        ("/about-us/liege/?share=twitter", False),
        ("/about-us/liege/feed/", False),
        ("/en/our-network/public/abc/", False),
        ("/en/our-network/", False),
        ("/news/general-assembly-2019/", False),
        ("/wp-admin/about-us/liege/", False),
    ],
)
def test_default_profile_paths(path: str, expected: bool) -> None:
    assert is_profile(f"https://efus.eu{path}", profile_matcher(None)) is expected


def test_match_replaces_the_profile_rule_and_a_broken_one_is_a_usage_error() -> None:
    matcher = profile_matcher(r"^/members/[a-z-]+\.html$")
    assert is_profile("https://cities.example/members/graz.html", matcher)
    assert not is_profile("https://efus.eu/about-us/liege/", matcher)
    with pytest.raises(InputError, match="not a regular expression"):
        profile_matcher("(unclosed")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://efus.eu/about-us/liege/", "liege.html"),
        ("https://efus.eu/about-us/las-palmas-de-gran-canaria", "las-palmas-de-gran-canaria.html"),
        ("https://efus.eu/a-propos-de-lefus/generalitat-de-catalunya/?lang=fr",
         "generalitat-de-catalunya.fr.html"),
        ("https://efus.eu/en/our-network/public/9212/", "9212.html"),
        ("https://efus.eu/about-us/K%C3%B6ln_Stadt/", "k-c3-b6ln-stadt.html"),
        ("https://efus.eu/", "index.html"),
    ],
)  # fmt: skip
def test_page_file_names(url: str, name: str) -> None:
    assert page_filename(url) == name


def test_sitemaps_are_told_apart_by_their_root_element() -> None:
    index = (FIXTURES / "site" / "sitemap_index.xml").read_bytes()
    urlset = (FIXTURES / "site" / "page-sitemap.xml").read_bytes()
    assert sitemap_kind(index) == "sitemapindex"
    assert sitemap_kind(b"\xef\xbb\xbf<!-- made by hand -->\n<urlset>") == "urlset"
    assert sitemap_kind(urlset) == "urlset"
    assert sitemap_kind(b"<!DOCTYPE html><html><body>urlset</body></html>") is None
    assert sitemap_locations(index) == [
        "${base}/page-sitemap.xml",
        "${base}/member-sitemap.xml.gz",
    ]
    # The image's <image:loc> is not a page of the sitemap.
    assert sitemap_locations(urlset)[-1] == "${base}/news/general-assembly-2019/"
    assert len(sitemap_locations(urlset)) == 4


def test_sitemap_with_entities_or_broken_xml_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'  # noqa: E501
    with pytest.raises(ValueError, match="DOCTYPE"):
        sitemap_locations(bomb)
    with pytest.raises(ValueError, match="not well-formed"):
        sitemap_locations(b"<urlset><url><loc>x</url>")


def test_gzipped_sitemaps_are_decompressed_within_the_limit() -> None:
    data = b"<urlset>" + b" " * 5000 + b"</urlset>"
    assert gunzip(gzip.compress(data), 10_000) == data
    assert gunzip(data, 10) == data  # not gzipped: as served
    with pytest.raises(ValueError, match="more than 1000 bytes"):
        gunzip(gzip.compress(data), 1000)
    with pytest.raises(ValueError, match="broken gzip"):
        gunzip(b"\x1f\x8b" + b"garbage" * 10, 1000)


def test_links_are_absolute_without_fragments_or_repeats() -> None:
    html = (
        '<base href="https://efus.eu/en/"><a href="our-network/public/1/#x">a</a>'
        '<a href="/about-us/liege/">b</a><a href="/about-us/liege/#again">c</a>'
        '<a href="mailto:x@efus.eu">m</a><a href="javascript:void(0)">j</a><a>none</a>'
    )
    assert page_links(html, "https://efus.eu/somewhere/") == [
        "https://efus.eu/en/our-network/public/1/",
        "https://efus.eu/about-us/liege/",
    ]


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after("7", 1.0) == 7.0
    assert retry_after(None, 1.5) == 1.5
    assert retry_after("soon", 2.0) == 2.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 3.0) == 0.0  # in the past
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 <= retry_after(later, 0.0) <= 61


# -- main content ---------------------------------------------------------------------
BOILERPLATE_TEXTS = [
    "We use cookies",
    "Skip to content",
    "Français",
    "Executive Committee, since 1987",
    "Share this",
    "Twitter",
    "Related",
    "Latest news",
    "14 November 2019",
    "Montibœufs",
    "Subscribe",
    "All rights reserved",
    "Home",
    "Edit",
    "Search",
]


def test_main_content_keeps_the_lines_and_drops_the_boilerplate() -> None:
    from citynet.read.html import html_to_text

    served = profile_page("https://efus.eu", PAGE_FIXTURES / "gdansk.html")
    kept = main_content(served)
    assert kept.count("\n") == served.count("\n")
    text, sources = html_to_text(kept)
    for boilerplate in BOILERPLATE_TEXTS:
        assert boilerplate not in text, boilerplate
    lines = text.split("\n")
    assert lines[0] == "# source: https://efus.eu/about-us/gdansk/"
    assert lines[2] == "Gdansk"  # the entry title, first line of the page
    served_lines = served.split("\n")
    assert "Gdansk" in served_lines[sources[2] - 1]
    assert (
        "Population"
        in served_lines[
            sources[lines.index(next(x for x in lines if x.startswith("Population")))] - 1
        ]
    )  # noqa: E501
    # The fixture's own text is all there, in order.
    plain, _ = html_to_text((PAGE_FIXTURES / "gdansk.html").read_text(encoding="utf-8"))
    assert text == plain


@pytest.mark.parametrize(
    ("html", "kept", "dropped"),
    [
        # No theme classes: <article> is the content, its footer and share block are not.
        (
            "<body><nav>Menu</nav><article><p>Population: 5</p>"
            '<div class="social-links">Tweet</div><footer>Posted in News</footer></article>'
            "<aside>Archives 2019</aside></body>",
            ["Population: 5"],
            ["Menu", "Tweet", "Posted in News", "Archives 2019"],
        ),
        # No article: <main>; hidden and aria-hidden elements are not text.
        (
            '<body><header>Site</header><main id="m"><p>Location: Italy</p>'
            '<p hidden>secret</p><span aria-hidden="true">icon</span></main>'
            '<div id="cookie-law-info-bar">Accept cookies</div></body>',
            ["Location: Italy"],
            ["Site", "secret", "icon", "Accept cookies"],
        ),
        # Neither: the body, without its boilerplate.
        (
            '<body><div class="lang-switcher">EN FR</div><p>Member since 1995</p>'
            '<ul class="menu"><li>About</li></ul></body>',
            ["Member since 1995"],
            ["EN FR", "About"],
        ),
    ],
)
def test_main_content_rules_without_the_theme(
    html: str, kept: list[str], dropped: list[str]
) -> None:  # noqa: E501
    result = main_content(html)
    for text in kept:
        assert text in result
    for text in dropped:
        assert text not in result


def test_main_content_of_a_fragment_or_broken_html() -> None:
    assert main_content("Population: 5") == "Population: 5"  # no element: as it is
    broken = '<div class="entry-content"><p>Population: 5<p>Location: Spain</div><![<p>x'
    assert "Location: Spain" in main_content(broken)


# -- the log and provenance -----------------------------------------------------------
def test_provenance_needs_the_fetched_bytes(tmp_path: Path) -> None:
    page = tmp_path / "liege.html"
    page.write_bytes(b"<p>Population: 190 000</p>")
    sha = hashlib.sha256(page.read_bytes()).hexdigest()
    assert provenance_for(page) is None  # no log
    (tmp_path / LOG_NAME).write_text(
        json.dumps(
            {
                "format": "citynet-fetch-log/1",
                "run": None,
                "pages": [
                    {
                        "url": "https://efus.eu/about-us/liege",
                        "final_url": "https://efus.eu/about-us/liege/",
                        "status": 200,
                        "fetched_at": "2026-12-08T01:02:03Z",
                        "sha256": sha,
                        "file": "liege.html",
                    }
                ],
            }
        )
    )
    expected = ("https://efus.eu/about-us/liege/", "2026-12-08T01:02:03Z")
    assert provenance_for(page) == expected
    assert provenance_for(page, sha256=sha) == expected
    assert provenance_for(tmp_path / "essen.html") is None
    page.write_bytes(b"<p>Population: 190 001</p>")  # edited by hand since
    assert provenance_for(page) is None


def test_a_broken_log_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / LOG_NAME).write_text("{not json")
    with pytest.raises(InputError, match="not a readable fetch log"):
        load_log(tmp_path)
    (tmp_path / LOG_NAME).write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a citynet fetch log"):
        load_log(tmp_path)
    (tmp_path / "page.html").write_text("<p>x</p>")
    assert provenance_for(tmp_path / "page.html") is None
