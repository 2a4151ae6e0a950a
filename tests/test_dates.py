"""Dates and periods as the pages write them (reliability cases B12-B16)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citynet.read.dates import DateProblem, find_dates, year_of
from citynet.read.records import Period


def parse_period(text: str) -> list[Period]:
    """The periods written in ``text`` (rejected expressions left out)."""
    return [h.period for h in find_dates(text) if h.period is not None]


def problems(text: str) -> list[DateProblem]:
    return [h.problem for h in find_dates(text) if h.problem is not None]


def spans(text: str) -> list[tuple[str, str | None]]:
    return [(p.start, p.end) for p in parse_period(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # years and year ranges -> gYear
        ("2009-2012", [("2009", "2012")]),
        ("1997 -1998", [("1997", "1998")]),
        ("2000", [("2000", None)]),
        ("2000-2004, 2006-2009", [("2000", "2004"), ("2006", "2009")]),
        ("2006, 2008-2011", [("2006", None), ("2008", "2011")]),
        ("between 2000 and 2003", [("2000", "2003")]),
        ("from 2013 to 2014", [("2013", "2014")]),
        ("(2013-2015)", [("2013", "2015")]),
        # one day -> date
        ("26th of June 2009", [("2009-06-26", None)]),
        ("March 27th 2008", [("2008-03-27", None)]),
        ("October 10th 2005", [("2005-10-10", None)]),
        ("27 June 2013", [("2013-06-27", None)]),
        ("Toulouse, 26, June, 2009", [("2009-06-26", None)]),
        ("15.03.2017", [("2017-03-15", None)]),
        ("2017-03-15", [("2017-03-15", None)]),
        ("Brussels 10th of September 2007", [("2007-09-10", None)]),
        ("February 29th 2008", [("2008-02-29", None)]),  # a leap year
        # day ranges -> start and end dates
        ("November 2nd- 4th 2006", [("2006-11-02", "2006-11-04")]),
        ("October 30th-31st 1995", [("1995-10-30", "1995-10-31")]),
        ("7th-9th December 2000", [("2000-12-07", "2000-12-09")]),
        ("12-14 December 2012", [("2012-12-12", "2012-12-14")]),
        ("9-10 October 2014", [("2014-10-09", "2014-10-10")]),
        ("25-26 June 2015", [("2015-06-25", "2015-06-26")]),
        ("12-13 May 2014", [("2014-05-12", "2014-05-13")]),
        # two days joined by "and" -> one span over both
        ("4th and 5th of June 1999", [("1999-06-04", "1999-06-05")]),
        ("May 9th and 10th 2011", [("2011-05-09", "2011-05-10")]),
        ("30th of September and 1st of October, 1999", [("1999-09-30", "1999-10-01")]),
        ("September 30th - October 1st 1999", [("1999-09-30", "1999-10-01")]),
        ("30 December 2012 - 2 January 2013", [("2012-12-30", "2013-01-02")]),
        # month and year -> gYearMonth
        ("June 2009", [("2009-06", None)]),
        ("January 2013", [("2013-01", None)]),
        ("since January 2013.", [("2013-01", None)]),
        # other languages (B16)
        ("19 mai 2011", [("2011-05-19", None)]),
        ("26 juin 2009", [("2009-06-26", None)]),
        ("18 juillet 2008", [("2008-07-18", None)]),
        ("1er décembre 2010", [("2010-12-01", None)]),
        ("3 juil. 2011", [("2011-07-03", None)]),
        # not dates at all (B15)
        ("18th century", []),
        ("09", []),
        ("the 1990s", []),
        ("1,615,908", []),
        ("460.000", []),
        ("", []),
    ],
)
def test_period_forms(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert spans(text) == expected


def test_period_keeps_the_text_as_written() -> None:
    assert parse_period("Naples, Italy, 7th-9th December 2000") == [
        Period("2000-12-07", "2000-12-09", "7th-9th December 2000")
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31st of June 2009", "bad-date"),
        ("31st of February 2009", "bad-date"),
        ("29th of February 2010", "bad-date"),
        ("32nd of June 2009", "bad-date"),
        ("31.04.2017", "bad-date"),
        ("2017-13-01", "bad-date"),
        ("9th-7th December 2000", "reversed-range"),
        ("2012-2009", "reversed-range"),
        ("May 10th and 9th 2011", "reversed-range"),
        ("Summer 2009", "vague-date"),
        ("été 2009", "vague-date"),
        ("26 czerwca 2009", "unknown-month"),
    ],
)
def test_rejected_dates_carry_the_original_text(text: str, code: str) -> None:
    assert parse_period(f"Conference, {text}") == []  # never emitted, guessed or swapped
    assert [(p.text, p.code) for p in problems(f"Conference, {text}")] == [(text, code)]
    assert parse_period(text) == []


def test_a_rejected_date_does_not_hide_the_others() -> None:
    assert spans("31st of June 2009, 2010-2012") == [("2010", "2012")]
    assert [p.text for p in problems("31st of June 2009, 2010-2012")] == ["31st of June 2009"]


def test_hits_give_positions_and_precision() -> None:
    text = "General Assembly, Cascais, Portugal, 27th June 2013"
    (hit,) = find_dates(text)
    assert (hit.start, hit.end, text[hit.start : hit.end]) == (37, 51, "27th June 2013")
    assert hit.precision == "day"
    assert [h.precision for h in find_dates("June 2009; 2009-2012")] == ["month", "year"]


def test_helpers() -> None:
    assert year_of("2009-06-26") == 2009
    assert year_of(None) is None


def test_long_text_is_scanned_in_bounded_time() -> None:
    # 1 MB of number-and-month soup: windows around years keep the scan linear.
    text = "12 June 3 4th and " * 56_000 + "7th-9th December 2000"
    assert len(text) > 1_000_000
    assert [(h.text, h.period) for h in find_dates(text)] == [
        ("7th-9th December 2000", Period("2000-12-07", "2000-12-09", "7th-9th December 2000"))
    ]
    assert find_dates("x" * 1_000_000) == []
    assert len(find_dates("2001 " * 20_000)) == 20_000


_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 30)),
    form=st.sampled_from(["dmy", "dmy-of", "mdy", "dotted", "iso", "range"]),
)
def test_every_real_date_in_every_form_round_trips(day: date, form: str) -> None:
    month = _MONTH_NAMES[day.month - 1]
    text = {
        "dmy": f"{day.day} {month} {day.year}",
        "dmy-of": f"{_ordinal(day.day)} of {month} {day.year}",
        "mdy": f"{month} {_ordinal(day.day)} {day.year}",
        "dotted": f"{day.day:02d}.{day.month:02d}.{day.year}",
        "iso": day.isoformat(),
        "range": f"{_ordinal(day.day)}-{_ordinal((day + timedelta(days=1)).day)} {month} "
        f"{day.year}",
    }[form]
    if form == "range" and (day + timedelta(days=1)).month != day.month:
        assert parse_period(text) == []  # "30th-1st June": a reversed range, rejected
        return
    expected_end = (day + timedelta(days=1)).isoformat() if form == "range" else None
    assert spans(text) == [(day.isoformat(), expected_end)]
