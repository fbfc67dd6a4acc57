"""Named errors for every rule the record keeps.

Each carries a message fit to show a person: the loader, the CLI and (later) the web
prefix it with where the bad input came from.
"""


class TrackerError(Exception):
    """Base of every error the tracker raises on purpose."""


class InvalidInputError(TrackerError, ValueError):
    """A value is not acceptable; ``field`` names it when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def at(self, field: str) -> "InvalidInputError":
        """The same error, located at ``field`` (outermost name first)."""
        located = (self.field and f"{field}.{self.field}") or field
        return type(self)(str(self), located)


class InvalidDateError(InvalidInputError):
    """Not a real calendar date written as YYYY, YYYY-MM or YYYY-MM-DD."""


class InvalidURLError(InvalidInputError):
    """A source URL that is not an absolute http(s) link."""


class UnknownStatusError(InvalidInputError):
    """A status outside the contract's vocabulary."""


class NegativeAmountError(InvalidInputError):
    """Money committed cannot be negative."""


class InvalidCorrectionError(InvalidInputError):
    """A correction must point at an earlier, uncorrected, non-correction event."""


class UnknownEventTypeError(InvalidInputError):
    """An event type the contract does not define (or not allowed where it was used)."""


class NotFoundError(TrackerError, LookupError):
    """A plan, commitment or source that is not in the record."""


class ConflictError(TrackerError):
    """The record moved on since it was read: someone else wrote first."""

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class HistoryRewrittenError(TrackerError):
    """Input that differs from what is already recorded: the record is append-only."""
