"""The editors' forms in words: each field's label, how a field reads in a sentence,
and what to say when a required one is empty (``web.editor_forms`` checks them)."""

from __future__ import annotations

LABELS = {
    "date": "Date it happened",
    "due": "New deadline",
    "status": "New status",
    "amount_gbp": "Amount committed, in pounds",
    "metric": "What is measured",
    "target": "Target figure",
    "value": "Measured figure",
    "unit": "Unit",
    "corrects": "The event to correct",
    "to_title": "Where it went, as the source names it",
    "to_plan": "Receiving plan's slug, if tracked here (optional)",
    "to_commitment": "Receiving commitment's slug, if tracked here (optional)",
    "note": "Note",
    "quote": "Quote from the source (optional)",
    "source_key": "Source",
    "source_publisher": "Publisher",
    "source_title": "Title",
    "source_published_on": "Published on",
    "source_url": "Web address (optional)",
    "source_author": "Author (optional)",
    "source_kind": "Who is speaking (optional)",
    "source_note": "About this source, such as why no web address is known (optional)",
}
CORRECTION_LABELS = LABELS | {"note": "Reason: what was wrong", "date": "Date of the correction"}
# How a parser message's leading field name reads in a sentence.
SUBJECTS = {
    "date": "The date",
    "due": "The deadline",
    "status": "The status",
    "amount_gbp": "The amount",
    "metric": "What is measured",
    "target": "The target",
    "value": "The measured figure",
    "unit": "The unit",
    "corrects": "The event to correct",
    "to_title": "Where it went",
    "to_plan": "The receiving plan",
    "to_commitment": "The receiving commitment",
    "note": "The note",
    "quote": "The quote",
    "publisher": "The publisher",
    "title": "The title",
    "published_on": "The publication date",
    "url": "The web address",
    "author": "The author",
}
REQUIRED = {
    "date": "Enter the date it happened, as YYYY, YYYY-MM or YYYY-MM-DD",
    "due": "Enter the new deadline, as YYYY, YYYY-MM or YYYY-MM-DD",
    "status": "Choose the new status",
    "amount_gbp": "Enter the amount committed, in pounds",
    "metric": "Enter what is measured",
    "target": "Enter the target figure",
    "value": "Enter the measured figure",
    "unit": "Enter the unit",
    "corrects": "Choose the event to correct",
    "to_title": "Enter where it went, as the source names it",
    "source_key": "Choose one of the plan's sources, or a new one",
    "source_publisher": "Enter the source's publisher",
    "source_title": "Enter the source's title",
    "source_published_on": "Enter the date the source was published",
}
NOTE_REQUIRED = {
    "correction": "Give the reason: say what was wrong with the event",
    "progress_reported": "Say what happened, in a note or a quote",
}


# What the editors' pages say when they refuse a request: a heading and an explanation,
# with ``{placeholders}`` filled in by ``refusal``; and the links they offer instead.
REFUSALS = {
    "role": ("Not allowed", "An {role} token may not record events."),
    "elsewhere": ("Refused", "This form was sent from another site, so it was not accepted."),
    "signed_out": (
        "You are not signed in",
        "Your session has ended (or you never signed in), so the form was not accepted."
        " Nothing was recorded.",
    ),
    "form_expired": (
        "The form has expired",
        "The form did not carry this session's security token, so it was not accepted."
        " Nothing was recorded. Open the page again and resend it.",
    ),
    "sign_in_expired": (
        "The sign-in form has expired",
        "The form did not carry its security value, so it was not accepted. Open the"
        " sign-in page again and resend it.",
    ),
    "throttled": (
        "Too many failed sign-ins",
        "Too many failed attempts to sign in came from your address. Try again in"
        " {minutes} minute{plural}.",
    ),
    "no_kind": (
        "Choose what kind of development",
        "The form did not say what kind of event it records.",
    ),
    "no_version": (
        "The form is incomplete",
        "The form did not say which version of the commitment it was opened on.",
    ),
}
OFFERS = {
    "sign_in_again": "Sign in again",
    "open_again": "Open the page again",
    "sign_in": "Sign in",
    "choose_kind": "Choose a kind of development",
    "form_again": "Open the form again",
}
TOKEN_MISSING = "Enter your API token."
TOKEN_INVALID = "That token is not valid: it is unknown, mistyped or revoked."


def refusal(name: str, **values: object) -> tuple[str, str]:
    """A refusal's heading and explanation, its placeholders filled in."""
    heading, explanation = REFUSALS[name]
    return heading, explanation.format(**values)
