"""Dates kept at the precision their source gives them.

"July 2022" is a month, not 1 July 2022: a ``PartialDate`` remembers whether it is a
year, a month or a day. For figures it counts from its first day (``start``); as a
deadline it falls due on its last day (``end``).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

from tracker.domain.errors import InvalidDateError

_PATTERN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
MONTH_NAMES = tuple(calendar.month_name)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise InvalidDateError("a day needs a month")
        if not 1 <= self.year <= 9999:
            raise InvalidDateError(f"year {self.year} is out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidDateError(f"{self.year}-{self.month:02d} has no month {self.month}")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise InvalidDateError(
                    f"{self.year}-{self.month:02d}-{self.day:02d} is not a real date"
                    f" ({MONTH_NAMES[self.month]} {self.year} has {last} days)"
                )

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, refusing anything else."""
        return _parse(str(text).strip())

    @classmethod
    def of(cls, day: date) -> PartialDate:
        """The exact day ``day``."""
        return cls(day.year, day.month, day.day)

    @property
    def precision(self) -> str:
        """``"year"``, ``"month"`` or ``"day"``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def start(self) -> date:
        """The first day this date covers: when an event so dated starts to count."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> date:
        """The last day this date covers: when a deadline so dated falls due."""
        if self.day is not None:
            return date(self.year, self.month, self.day)
        if self.month is not None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, 12, 31)

    def human(self) -> str:
        """As a person reads it: "2018", "July 2022", "13 November 2020"."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTH_NAMES[self.month]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month]} {self.year}"

    def __str__(self) -> str:
        return _text(self.year, self.month, self.day)


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> PartialDate:
    """Cached: a load reads the same few thousand dates again and again, and a
    ``PartialDate`` is immutable, so sharing one instance is safe."""
    match = _PATTERN.fullmatch(text)
    if not match:
        raise InvalidDateError(f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    return PartialDate(year, month, day)


@functools.lru_cache(maxsize=8192)
def _text(year: int, month: int | None, day: int | None) -> str:
    """Cached: every stored event writes its date and its source's date as text."""
    text = f"{year:04d}"
    if month is not None:
        text += f"-{month:02d}"
    if day is not None:
        text += f"-{day:02d}"
    return text
