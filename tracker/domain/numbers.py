"""The numbers the record takes, and how any stored number is shown.

The design and why it is so: ``docs/numbers.md``.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from typing import Any

from tracker.domain.errors import InvalidInputError, NegativeAmountError

MAX_TEXT = 40
MONEY_LIMIT = Decimal(10) ** 12
MONEY_PLACES = 2
FIGURE_LIMIT = Decimal(10) ** 15
FIGURE_PLACES = 6
MAX_COUNT = 999_999_999

# Sign, digits (commas only between groups of three), point, digits, small exponent.
_SHAPE = re.compile(
    r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]{1,2})?"
)
_DIGITS = re.compile(r"[0-9]")
# Stored numbers past these are shown as recorded rather than worked on.
_TAME_DIGITS = 100
_TAME_EXPONENT = 100
_WIDE = Context(prec=2 * _TAME_DIGITS)  # normalize() rounds to its context's precision


def money(value: Any, field: str = "amount_gbp") -> Decimal:
    """An amount of pounds: exact, not negative, under £1 trillion, whole pence."""
    number = _number(value, field)
    if number < 0:
        raise NegativeAmountError(f"{field} is {number}: money committed cannot be negative", field)
    if number >= MONEY_LIMIT:
        raise InvalidInputError(f"{field} must be less than £1,000,000,000,000", field)
    _check_places(number, MONEY_PLACES, field, "pence: at most 2 decimal places")
    return number


def figure(value: Any, field: str) -> Decimal:
    """A target or a measured value: exact, |value| < 10^15, at most 6 decimal places."""
    number = _number(value, field)
    if abs(number) >= FIGURE_LIMIT:
        raise InvalidInputError(
            f"{field} must be between -10^15 and 10^15 (1,000,000,000,000,000)", field
        )
    _check_places(number, FIGURE_PLACES, field, "at most 6 decimal places")
    return number


def count(value: Any, field: str) -> int:
    """A whole number from 1 (an event's number): digits only, read after its length."""
    text = value if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= MAX_COUNT:
            return value
        text = None
    elif isinstance(text, str):
        text = text.strip()
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise InvalidInputError(f"{field} must be an event number, not '{_glimpse(value)}'", field)
    number = int(text)
    if number < 1:
        raise InvalidInputError(f"{field} must be an event number, not '{text}'", field)
    return number


def _number(value: Any, field: str) -> Decimal:
    """A finite decimal from text, an int or a Decimal (or a float, read as it prints),
    refused on its shape before it is converted."""
    if isinstance(value, bool) or value is None:
        raise InvalidInputError(f"{field} must be a number", field)
    if isinstance(value, Decimal):
        if not value.is_finite() or len(value.as_tuple().digits) > MAX_TEXT:
            raise InvalidInputError(f"{field} must be a finite number of at most 40 digits", field)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and abs(exponent) > MAX_TEXT:
            raise InvalidInputError(f"{field} must be a finite number of at most 40 digits", field)
        return value
    if isinstance(value, int):
        if not -(10**MAX_TEXT) < value < 10**MAX_TEXT:
            raise InvalidInputError(f"{field} must be a number of at most {MAX_TEXT} digits", field)
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InvalidInputError(f"{field} must be a number", field)
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"{field} must be a number of at most {MAX_TEXT} characters", field)
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and not _SHAPE.fullmatch(text):
        raise InvalidInputError(
            f"{field} must be a number with an exponent of at most two digits, not '{text}'",
            field,
        )
    if not _SHAPE.fullmatch(text) or not _DIGITS.search(mantissa):
        raise InvalidInputError(
            f"{field} must be a number such as 1500000 or 1,500,000, not '{text}'", field
        )
    return Decimal(text.replace(",", ""))


def _check_places(number: Decimal, places: int, field: str, rule: str) -> None:
    """Trailing zeros do not count: 3.70 has one decimal place."""
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by ``_number``
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if digits and any(digits) and -(exponent + trailing) > places:
        raise InvalidInputError(f"{field} has too many decimal places ({rule})", field)


def _glimpse(value: Any) -> str:
    """A bad value as a message may quote it: its first 40 characters."""
    text = value if isinstance(value, str) else type(value).__name__
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


# Reading: any stored value, whatever an older version let through.


def tame(value: Any) -> bool:
    """A stored number that is safe to work on: a finite Decimal or int of modest size.
    Anything else (NaN, 1E+5000, a 5,000-digit number, text) is shown as recorded."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(10**_TAME_DIGITS) < value < 10**_TAME_DIGITS
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    return (
        isinstance(exponent, int)
        and len(digits) <= _TAME_DIGITS
        and abs(exponent) <= _TAME_EXPONENT
    )


def shown(value: Any) -> str:
    """A stored number as people read it: 1,700,000; 3.7; −2 (a minus sign, not a
    hyphen). A value that is not tame is shown as its stored text, unformatted."""
    if not tame(value):
        return _as_recorded(value)
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace("-", "−")
    return f"{number.normalize(_WIDE):,f}".replace("-", "−")


def plain(value: Any) -> Any:
    """A stored number for JSON: an int or a float when tame, else its stored text."""
    if not tame(value):
        return _as_recorded(value)
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def restored(text: Any) -> Decimal | Any:
    """A stored number's text as a Decimal, or as it is when it is not one: reading
    must never fail on what an older version wrote."""
    try:
        return Decimal(text)
    except (ArithmeticError, TypeError, ValueError):
        return text


def _as_recorded(value: Any) -> str:
    """The stored text of a value; never an int's ``str`` (refused past 4,300 digits)."""
    try:
        return str(value)
    except ValueError:  # an int past 4,300 digits: only tampering can have stored one
        return hex(value)
