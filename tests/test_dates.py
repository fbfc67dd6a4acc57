"""``PartialDate``: a date kept at the precision its source gives it."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidDateError, InvalidInputError

# Parsing


def test_a_year_alone_is_read_as_a_year():
    assert PartialDate.parse("2018") == PartialDate(2018)


def test_a_year_and_month_is_read_as_a_month():
    assert PartialDate.parse("2022-07") == PartialDate(2022, 7)


def test_a_full_date_is_read_as_a_day():
    assert PartialDate.parse("2020-11-13") == PartialDate(2020, 11, 13)


def test_the_29th_of_february_is_accepted_in_a_leap_year():
    assert PartialDate.parse("2020-02-29") == PartialDate(2020, 2, 29)


def test_a_year_given_as_a_number_is_read_as_its_text():
    # A YAML 1.1 parser hands ``2021`` over as an int.
    assert PartialDate.parse(2021) == PartialDate(2021)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("2021-02-29", "2021-02-29"),  # 2021 is not a leap year
        ("2023-04-31", "2023-04-31"),  # April has 30 days
        ("2021-13", "2021-13"),
        ("2020-00", "2020-00"),
        ("2020-01-00", "2020-01-00"),
        ("2020-01-32", "2020-01-32"),
    ],
)
def test_an_impossible_calendar_date_is_refused_naming_it(text, named):
    with pytest.raises(InvalidDateError) as refused:
        PartialDate.parse(text)
    assert named in str(refused.value)


@pytest.mark.parametrize(
    "text",
    [
        "July 2022",
        "2021-1-5",
        "2021-01-5",
        "21-01-05",
        "2021/01/05",
        "13/11/2020",
        "2021-01-05T00:00",
        "20211",
        "2021-",
        "",
        "on",
    ],
)
def test_text_not_written_as_yyyy_mm_dd_is_refused_naming_it(text):
    with pytest.raises(InvalidDateError) as refused:
        PartialDate.parse(text)
    assert f"'{text}'" in str(refused.value)


@pytest.mark.parametrize("text", ["٢٠٢١", "２０２１-０３", "2021-٠٣-٠٥"])
def test_digits_other_than_ascii_are_refused(text):
    # They would not round-trip: str() writes ASCII digits.
    with pytest.raises(InvalidDateError):
        PartialDate.parse(text)


def test_year_zero_is_refused():
    with pytest.raises(InvalidDateError):
        PartialDate.parse("0000")


def test_a_refused_date_is_an_input_error_callers_can_catch_as_such():
    with pytest.raises(InvalidInputError):
        PartialDate.parse("2021-02-30")


def test_a_day_without_a_month_cannot_be_built():
    with pytest.raises(InvalidDateError):
        PartialDate(2021, None, 5)


def test_the_message_for_an_impossible_day_says_how_long_the_month_is():
    with pytest.raises(InvalidDateError, match="February 2021 has 28 days"):
        PartialDate.parse("2021-02-29")


# Precision


@pytest.mark.parametrize(
    ("text", "precision"),
    [("2018", "year"), ("2022-07", "month"), ("2020-11-13", "day")],
)
def test_the_precision_is_the_one_written(text, precision):
    assert PartialDate.parse(text).precision == precision


def test_a_month_is_not_the_same_date_as_its_first_day():
    assert PartialDate.parse("2022-07") != PartialDate.parse("2022-07-01")


def test_an_exact_day_built_from_a_date_has_day_precision():
    assert PartialDate.of(date(2020, 11, 13)) == PartialDate(2020, 11, 13)
    assert PartialDate.of(date(2020, 11, 13)).precision == "day"


# Start and end


def test_a_day_starts_and_ends_on_itself():
    day = PartialDate.parse("2020-11-13")
    assert day.start == day.end == date(2020, 11, 13)


def test_a_month_starts_on_its_first_day():
    assert PartialDate.parse("2022-07").start == date(2022, 7, 1)


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("2021-01", date(2021, 1, 31)),
        ("2021-04", date(2021, 4, 30)),
        ("2021-02", date(2021, 2, 28)),
        ("2020-02", date(2020, 2, 29)),  # divisible by 4
        ("1900-02", date(1900, 2, 28)),  # a century not divisible by 400
        ("2000-02", date(2000, 2, 29)),  # divisible by 400
        ("2021-12", date(2021, 12, 31)),
    ],
)
def test_a_month_ends_on_its_last_day(text, last_day):
    assert PartialDate.parse(text).end == last_day


def test_a_year_starts_on_the_first_of_january():
    assert PartialDate.parse("2018").start == date(2018, 1, 1)


def test_a_year_ends_on_the_thirty_first_of_december():
    assert PartialDate.parse("2018").end == date(2018, 12, 31)


# How people read it


@pytest.mark.parametrize(
    ("text", "human"),
    [
        ("2018", "2018"),
        ("2022-07", "July 2022"),
        ("2020-11-13", "13 November 2020"),
        ("2021-03-05", "5 March 2021"),
    ],
)
def test_a_date_reads_as_a_person_writes_it_at_its_own_precision(text, human):
    assert PartialDate.parse(text).human() == human


@pytest.mark.parametrize(
    "text", ["2018", "2022-07", "2020-11-13", "2021-03-05", "0999", "0999-01-09"]
)
def test_a_date_written_out_reads_back_as_the_same_text(text):
    written = str(PartialDate.parse(text))
    assert written == text
    assert PartialDate.parse(written) == PartialDate.parse(text)
