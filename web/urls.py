"""Every URL the site links to is built here, and nowhere else."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode


def _with(path: str, **query: object) -> str:
    params = {k: str(v) for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


def home() -> str:
    return "/"


def plan(slug: str, **query: object) -> str:
    return _with(f"/plans/{slug}", **query)


def commitment(plan: str, slug: str, as_of: date | str | None = None) -> str:
    return _with(f"/plans/{plan}/commitments/{slug}", as_of=as_of)


def event(plan: str, slug: str | None, number: int) -> str:
    """A permalink to one event on its commitment's (or plan's) page."""
    if slug is None:
        return f"/plans/{plan}#plan-event-{number}"
    return f"/plans/{plan}/commitments/{slug}#event-{number}"


def timeline(page: int | None = None) -> str:
    return _with("/timeline", page=page if page and page > 1 else None)


def delays(page: int | None = None) -> str:
    return _with("/delays", page=page if page and page > 1 else None)


def search(q: str | None = None, page: int | None = None) -> str:
    """The search page across every plan; without ``q``, its empty form."""
    return _with("/search", q=q, page=page if page and page > 1 else None)


def log() -> str:
    """The page that shows the log's head and how to check a copy of the log."""
    return "/log"


def how_we_know(part: str | None = None) -> str:
    """The page that says, in plain words, how the record is kept; ``part``: one of its
    sections (``sources``, ``dates``, ``statuses``...)."""
    return f"/how-we-know#{part}" if part else "/how-we-know"


def api_log() -> str:
    return "/api/v1/log"


def api_log_export() -> str:
    return "/api/v1/log.jsonl"


def static(name: str) -> str:
    return f"/static/{name}"


def feed(scope: str, kind: str, plan: str | None = None, slug: str | None = None) -> str:
    """``scope``: all, delays, plan or commitment; ``kind``: rss, atom or json (JSON Feed)."""
    if scope == "all":
        return f"/feeds/all.{kind}"
    if scope == "delays":
        return f"/feeds/delays.{kind}"
    if scope == "plan":
        return f"/plans/{plan}/feed.{kind}"
    return f"/plans/{plan}/commitments/{slug}/feed.{kind}"


def calendar(plan: str | None = None, slug: str | None = None) -> str:
    """The deadlines as iCalendar: every plan's, one plan's, or one commitment's."""
    if plan is None:
        return "/calendar.ics"
    if slug is None:
        return f"/plans/{plan}/calendar.ics"
    return f"/plans/{plan}/commitments/{slug}/calendar.ics"


def badge(plan: str, slug: str) -> str:
    """A commitment's status as a small SVG image, for other sites to show."""
    return f"/plans/{plan}/commitments/{slug}/badge.svg"


def embed(plan: str, slug: str) -> str:
    """A commitment's card: the one page other sites may frame."""
    return f"/embed/plans/{plan}/commitments/{slug}"


def api_plans() -> str:
    return "/api/v1/plans"


def api_commitments(plan: str) -> str:
    return f"/api/v1/plans/{plan}/commitments"


def api_commitment(plan: str, slug: str) -> str:
    return f"/api/v1/plans/{plan}/commitments/{slug}"


def api_plan(plan: str) -> str:
    return f"/api/v1/plans/{plan}"


def api_sources(plan: str) -> str:
    return f"/api/v1/plans/{plan}/sources"


def api_events(plan: str, slug: str) -> str:
    return f"/api/v1/plans/{plan}/commitments/{slug}/events"


def api_commitments_csv(plan: str, **query: object) -> str:
    return _with(f"/api/v1/plans/{plan}/commitments.csv", **query)


def api_timeline(**query: object) -> str:
    return _with("/api/v1/timeline", **query)


def api_search(**query: object) -> str:
    return _with("/api/v1/search", **query)


def api_delays() -> str:
    return "/api/v1/delays"


def editor_home() -> str:
    """The editors' pages: signed in, the plans and commitments to record on."""
    return "/editor"


def editor_sign_in(next: str | None = None, signed_out: bool = False) -> str:
    return _with("/editor/sign-in", next=next, signed_out="1" if signed_out else None)


def editor_sign_out() -> str:
    return "/editor/sign-out"


def editor_record(plan: str, slug: str, type: str | None = None) -> str:
    return _with(f"/editor/plans/{plan}/commitments/{slug}/record", type=type)


def editor_correct(plan: str, slug: str) -> str:
    return f"/editor/plans/{plan}/commitments/{slug}/correct"


# What changed, everything as data, and the site's map (contract section 6).


def changes(**query: object) -> str:
    """The page of what changed between two dates (``since``, ``until``, ``plan``)."""
    return _with("/changes", **query)


def api_changes(**query: object) -> str:
    return _with("/api/v1/changes", **query)


def api_events_export(kind: str, **query: object) -> str:
    """The export of every event (``kind``: jsonl or csv), with ``plan`` and ``since``."""
    return _with(f"/api/v1/events.{kind}", **query)


def docs() -> str:
    """The browsable API documentation, drawn from ``openapi()``."""
    return "/docs"


def openapi() -> str:
    return "/openapi.json"


def sitemap() -> str:
    return "/sitemap.xml"


def robots() -> str:
    return "/robots.txt"


def absolute(base: str, path: str) -> str:
    """``path`` on the site served from ``base`` (``settings.base_url``, else the
    request's own base)."""
    return base.rstrip("/") + path


def commitment_pinned(
    plan: str, slug: str, as_of: date | str | None, as_recorded: int | None
) -> str:
    """A commitment's page as recorded at a position of the log: a link that cites."""
    return _with(f"/plans/{plan}/commitments/{slug}", as_of=as_of, as_recorded=as_recorded)


def commitment_citation(plan: str, slug: str, kind: str, **query: object) -> str:
    """A commitment's citation as a file: ``kind`` bib, ris or json (CSL-JSON)."""
    return _with(f"/plans/{plan}/commitments/{slug}/cite.{kind}", **query)
