"""What a feed says: each feed's title and subtitle, and each item's title, in the
words the pages use (``web.presenters.wording``). Item bodies are templates
(``web/templates/feeds/``), fed from here and from the same view models as the pages.

Titles are plain text: user-supplied text in them is isolated (``bidi.isolated``),
never put in tags.
"""

from __future__ import annotations

from tracker.domain import numbers
from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry
from tracker.domain.figures import STALE_AFTER_DAYS
from tracker.readmodels.views import CommitmentRow, Item
from web import bidi
from web.presenters.wording import SITE, days_text, status_words, type_label


def headings(
    scope: str,
    plan_title: str | None = None,
    publisher: str | None = None,
    commitment_title: str | None = None,
) -> tuple[str, str]:
    """A feed's title and subtitle."""
    if scope == "all":
        return (
            f"{SITE}: every development",
            "Every development in the government action plans the tracker follows, "
            "newest first, each with its source.",
        )
    if scope == "delays":
        return (
            f"{SITE}: delays",
            "Deadlines passed undelivered, deadlines moved back, commitments delayed, "
            "paused or dropped, and commitments with no news for "
            f"{STALE_AFTER_DAYS} days, each with the delay in days.",
        )
    plan = bidi.isolated(plan_title)
    if scope == "plan":
        return (
            f"{plan}: every development",
            f"Every development in {plan} ({bidi.isolated(publisher)}), newest first.",
        )
    return (
        f"{bidi.isolated(commitment_title)}: every development",
        f"Every development in this commitment of {plan}, newest first.",
    )


def event_title(item: Item, subject: str, before: PartialDate | None) -> str:
    """``Subject: what happened (when), the delay [corrected]``."""
    entry = item.entry
    title = f"{bidi.isolated(subject)}: {what(entry, before)} ({entry.date.human()}){delay(item)}"
    return title + " [corrected]" if item.corrected_by else title


def stale_title(row: CommitmentRow, since: str) -> str:
    return f"{bidi.isolated(row.title)}: no news for {STALE_AFTER_DAYS} days (stale since {since})"


def what(entry: Entry, before: PartialDate | None) -> str:
    """What happened, in a few words."""
    match entry.type:
        case "announced":
            return "announced"
        case "deadline_set":
            return _deadline(entry.get("due"), before)
        case "deadline_missed":
            return f"deadline of {entry.get('due').human()} passed undelivered"
        case "status_changed":
            return f"status changed to {status_words(entry.get('status'))}"
        case "budget_committed":
            return f"£{numbers.shown(entry.get('amount_gbp'))} committed"
        case "target_set":
            return f"target set: {_figure(entry, 'target')}"
        case "measurement_recorded":
            return f"measured: {_figure(entry, 'value')}"
        case "correction":
            return f"correction to event {entry.get('corrects')}"
        case "transferred":
            return f"transferred to {entry.get('to_title')}"
    return type_label(entry.type).lower()


def _deadline(due: PartialDate, before: PartialDate | None) -> str:
    if before is None:
        return f"deadline set for {due.human()}"
    if due.end > before.end:
        return f"deadline moved from {before.human()} to {due.human()}"
    if due.end < before.end:
        return f"deadline brought forward from {before.human()} to {due.human()}"
    return f"deadline restated as {due.human()}"


def _figure(entry: Entry, name: str) -> str:
    """A metric, its figure and its unit, in a title (plain text: isolated, not <bdi>)."""
    metric, unit = bidi.isolated(entry.get("metric")), bidi.isolated(entry.get("unit"))
    return f"{metric}, {numbers.shown(entry.get(name))} {unit}"


def delay(item: Item) -> str:
    """The delay this event announces, in days ("" for none)."""
    if item.delay_days is None:
        return ""
    if item.delay == "slip":
        return f", a slip of {days_text(item.delay_days)}"
    if item.delay_days < 0:
        return f", {days_text(-item.delay_days)} before it was announced"
    if item.delay_days == 0:
        return ", the day it was announced"
    return f", {days_text(item.delay_days)} after it was announced"
