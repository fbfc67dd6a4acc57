"""Public wording that more than one page uses: who is speaking (a source's ``kind``)
and what each status means. Written once here so that the "How we know" page, the
source lists and the API never say the same thing two ways.

The statuses' short labels live in ``web.routers.pages.STATUS_LABELS``; this module
holds only their longer meanings, keyed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """How the public reads one kind of source: a short label and what it covers."""

    label: str
    meaning: str


SOURCE_KINDS = {
    "official": Kind(
        "Official: the responsible body",
        "the body responsible for delivering the commitment, or its own press office",
    ),
    "oversight": Kind(
        "Oversight: a body holding it to account",
        "a body that holds the responsible body to account: MOPAC's boards, the London"
        " Assembly, inspectorates, auditors",
    ),
    "parliament": Kind("Parliament", "Parliament, its members and its committees"),
    "press": Kind("Press", "newspapers, broadcasters and news services"),
    "independent": Kind(
        "Independent: research, charities, campaigners",
        "researchers, charities and campaigners, independent of the responsible body",
    ),
    "foi": Kind(
        "Freedom of Information answer",
        "an answer given under the Freedom of Information Act",
    ),
}

STATUS_MEANINGS = {
    "announced": "The commitment has been announced and no source has reported a status since.",
    "not_started": "A source says that work has not begun. Silence is not taken to mean"
    " this: with no status reported, a commitment stays announced.",
    "in_progress": "A source says that work is under way.",
    "delayed": "A source says that the work is running late.",
    "paused": "A source says that work has stopped for now.",
    "delivered": "A source says that it has been done.",
    "partially_delivered": "A source says that part of it has been done.",
    "dropped": "A source says that it has been abandoned.",
    "transferred": "It was carried into another plan: it is closed here, and its page"
    " says where it went.",
}


def kind_label(kind: str | None) -> str | None:
    """A source's kind as a reader sees it; an unknown kind is shown as written."""
    if not kind:
        return None
    known = SOURCE_KINDS.get(kind)
    return known.label if known else kind
