"""The numbers the record takes (``tracker.domain.numbers``), and how stored ones show."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tracker.domain import numbers
from tracker.domain.errors import InvalidInputError, NegativeAmountError


@pytest.mark.parametrize(
    "given, kept",
    [
        ("0", "0"),
        ("1,500,000", "1500000"),
        ("999999999999.99", "999999999999.99"),
        ("3.70", "3.70"),
        ("1.5e6", "1.5E+6"),
        (1500000, "1500000"),
        (0.1, "0.1"),
        (Decimal("250000"), "250000"),
    ],
)
def test_money_up_to_a_trillion_pounds_in_whole_pence_is_kept_exactly(given, kept):
    assert str(numbers.money(given)) == kept


@pytest.mark.parametrize(
    "bad, says",
    [
        ("1000000000000", "less than £1,000,000,000,000"),
        ("1e12", "less than £1,000,000,000,000"),
        ("0.001", "at most 2 decimal places"),
        ("1e5000", "exponent of at most two digits"),
        ("9" * 5000, "at most 40 characters"),
        pytest.param(10**5000, "at most 40 digits", id="a 5,000-digit int"),
        (Decimal("1e1000000"), "finite number of at most 40 digits"),
        (Decimal("NaN"), "finite number"),
        ("NaN", "must be a number such as"),
        ("Infinity", "must be a number such as"),
        (float("inf"), "must be a number such as"),
        ("1_000", "must be a number such as"),
        ("1,5", "must be a number such as"),
        (True, "must be a number"),
        (None, "must be a number"),
        ([1], "must be a number"),
    ],
)
def test_money_no_plan_could_hold_is_refused_naming_the_field(bad, says):
    with pytest.raises(InvalidInputError) as refused:
        numbers.money(bad, "amount_gbp")

    assert refused.value.field == "amount_gbp"
    assert says in str(refused.value)


def test_negative_money_is_its_own_named_error():
    with pytest.raises(NegativeAmountError):
        numbers.money("-1")


@pytest.mark.parametrize("given", ["-999999999999999.999999", "0.000001", "-3.7", "1e14"])
def test_a_figure_may_be_negative_and_as_fine_as_a_millionth(given):
    assert numbers.figure(given, "value") == Decimal(given)


@pytest.mark.parametrize("bad", ["1e15", "-1000000000000000", "0.0000001", "1e-7"])
def test_a_figure_past_10_to_the_15_or_finer_than_a_millionth_is_refused(bad):
    with pytest.raises(InvalidInputError) as refused:
        numbers.figure(bad, "target")

    assert refused.value.field == "target"


@pytest.mark.parametrize("bad", ["0", "-1", "9" * 5000, "1e3", 2.0, True, "٣", 10**50])
def test_a_count_is_a_whole_number_from_one_read_only_after_its_length(bad):
    with pytest.raises(InvalidInputError) as refused:
        numbers.count(bad, "corrects")

    assert refused.value.field == "corrects"
    assert len(str(refused.value)) < 120


@pytest.mark.parametrize(
    "stored, shown",
    [
        (Decimal("1700000"), "1,700,000"),
        (Decimal("3.70"), "3.7"),
        (Decimal("-2.5"), "−2.5"),
        (Decimal("1E+5"), "100,000"),
        (
            Decimal("12345678901234567890123456789012.5"),
            "12,345,678,901,234,567,890,123,456,789,012.5",
        ),
        (Decimal("1e5000"), "1E+5000"),
        (Decimal("1e1000000"), "1E+1000000"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "-Infinity"),
        (Decimal("9" * 5000), "9" * 5000),
        ("about £2m", "about £2m"),
        (None, "None"),
    ],
)
def test_any_stored_number_is_shown_grouped_when_tame_and_as_recorded_otherwise(stored, shown):
    started = time.monotonic()

    assert numbers.shown(stored) == shown
    assert numbers.plain(stored) is not None or stored is None
    assert time.monotonic() - started < 0.1


def test_an_int_too_long_for_python_to_print_is_still_shown():
    assert numbers.shown(10**5000).startswith("0x")
