import re
from datetime import date

import pytest

from timeline.dates import PartialDate


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest", "label"),
    [
        ("2026-01-03", "day", date(2026, 1, 3), date(2026, 1, 3), "3 Jan 2026"),
        ("2026-01", "month", date(2026, 1, 1), date(2026, 1, 31), "Jan 2026"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("~2026-01", "month", date(2026, 1, 1), date(2026, 1, 31), "~ Jan 2026"),
        ("2026-01-05/2026-01-11", "day", date(2026, 1, 5), date(2026, 1, 11), "week of 5 Jan 2026"),
        (
            "~2026-01-05/2026-01-11",
            "day",
            date(2026, 1, 5),
            date(2026, 1, 11),
            "~ week of 5 Jan 2026",
        ),
        (
            "2026-01-03/2026-01-13",
            "day",
            date(2026, 1, 3),
            date(2026, 1, 13),
            "3 Jan 2026 – 13 Jan 2026",
        ),
        ("~2015/2026-01", "year", date(2015, 1, 1), date(2026, 1, 31), "~ 2015 – Jan 2026"),
    ],
)
def test_parse_keeps_precision_and_bounds(text, precision, earliest, latest, label):
    d = PartialDate.parse(text)
    assert (d.precision, d.earliest, d.latest, d.label()) == (precision, earliest, latest, label)
    assert str(d) == text
    assert PartialDate.parse(str(d)) == d


def test_year_given_as_number_and_padding():
    assert str(PartialDate.parse(2026)) == "2026"
    assert str(PartialDate.parse("2026-1-3")) == "2026-01-03"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "date '2026-13' has month 13; months run 01 to 12"),
        ("2026-02-30", "date '2026-02-30' is not a real day: February 2026 has 28 days"),
        (
            "03/01/2026",
            "date '03/01/2026' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD "
            "(prefix ~ if approximate; START/END for a range, START/.. or ../END if open), "
            "or unknown",
        ),
        (
            "2026-01-11/2026-01-05",
            "date range '2026-01-11/2026-01-05' ends (2026-01-05) "
            "before it starts (2026-01-11); write the earlier date first",
        ),
        (
            "",
            "date '' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD "
            "(prefix ~ if approximate; START/END for a range, START/.. or ../END if open), "
            "or unknown",
        ),
    ],
)
def test_bad_dates_say_what_to_write(text, message):
    with pytest.raises(ValueError) as exc:
        PartialDate.parse(text)
    assert str(exc.value) == message


def test_sorting_and_overlap():
    dates = [PartialDate.parse(t) for t in ["2026-01-13", "2026", "2026-01", "2025-12-31"]]
    ordered = [str(d) for d in sorted(dates, key=lambda d: d.sort_key)]
    assert ordered == ["2025-12-31", "2026", "2026-01", "2026-01-13"]
    month = PartialDate.parse("2026-01")
    assert month.overlaps(date(2026, 1, 31), None)
    assert not month.overlaps(date(2026, 2, 1), None)
    assert month.overlaps(None, date(2026, 1, 1))


# --- time of day ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical", "label"),
    [
        ("2025-10-19T09:30+02:00", "2025-10-19T09:30+02:00", "19 Oct 2025 09:30 (UTC+02:00)"),
        ("2025-10-19T09:30:00Z", "2025-10-19T09:30Z", "19 Oct 2025 09:30 UTC"),
        (
            "2025-10-19T09:30:15-05:00",
            "2025-10-19T09:30:15-05:00",
            "19 Oct 2025 09:30:15 (UTC-05:00)",
        ),
        ("~2025-10-19T09:30", "~2025-10-19T09:30", "~ 19 Oct 2025 09:30"),
        (
            "2025-10-19T09:30/2025-10-19T16:00+02:00",
            "2025-10-19T09:30/2025-10-19T16:00+02:00",
            "19 Oct 2025 09:30 – 19 Oct 2025 16:00 (UTC+02:00)",
        ),
    ],
)
def test_a_time_of_day_keeps_its_offset(text, canonical, label):
    when = PartialDate.parse(text)
    assert (str(when), when.label(), when.precision) == (canonical, label, "day")
    assert when.earliest == when.latest.__class__(2025, 10, 19)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-10T09:30", "has a time of day but no day"),
        ("2025-10-19T25:00", "has time 25:00, which no clock shows"),
        ("2025-10-19T9:30", "has time '9:30'; write HH:MM with its UTC offset"),
        ("2025-10-19T09:30+15:00", "has UTC offset +15:00"),
    ],
)
def test_a_bad_time_says_how_to_write_one(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PartialDate.parse(text)


def test_xsd_datetime_of_a_day_and_time():
    assert PartialDate.xsd_datetime("2025-10-19", "09:30+02:00") == "2025-10-19T09:30:00+02:00"
    assert PartialDate.xsd_datetime("2025-10-19", "09:30:15Z") == "2025-10-19T09:30:15Z"
    assert PartialDate.xsd_datetime("2025-10-19", "09:30") == "2025-10-19T09:30:00"
