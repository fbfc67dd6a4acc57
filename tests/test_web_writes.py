"""The write API, over HTTP: who may write, what a write records, and what it refuses.

Most tests run on every store (``site``); those about parsing and rendering, which no
store changes, run on the in-memory one (``memory_site``). "Nothing is written" is
checked against the log's head (its highest notification id): any stored event, an
entry or not, moves it.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tracker import idempotency
from tracker.application import RecordEvent, open_tracker, parse_event
from tracker.application.records import csv_row, entry_record
from tracker.domain.errors import ConflictError
from web import urls

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
EVENTS = urls.api_events(PLAN, COMMITMENT)
SOURCE = {"publisher": "Test Gazette", "title": "A report", "published_on": "2024-05-02"}
KEYED_SOURCE = "mayor-press-release-2020-11-13"
EVENT = {"type": "progress_reported", "date": "2024-05", "source": SOURCE, "note": "Resumed."}
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "]]>",
    '=HYPERLINK("https://example.com/x","click")',
    '<iframe src="javascript:alert(1)"></iframe>',
)


def services(site: TestClient):
    return site.app.state.services


def head(site: TestClient) -> int:
    """The log's head: it moves with every stored event."""
    return services(site).tracker.recorder.max_notification_id() or 0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def editor(site: TestClient) -> dict[str, str]:
    return bearer(services(site).tokens.create("newsroom", "editor", "Example Newsroom"))


@pytest.fixture
def admin(site: TestClient) -> dict[str, str]:
    return bearer(services(site).tokens.create("ops", "admin", "Tracker Team"))


JSON = {"Content-Type": "application/json"}  # for a body sent as bytes


def memory_token(memory_site: TestClient, role: str = "editor", name: str = "bot") -> dict:
    return bearer(services(memory_site).tokens.create(name, role, "Example Newsroom"))


def version(site: TestClient, plan: str = PLAN, slug: str = COMMITMENT) -> int:
    """The commitment's version as the read API shows it (what a client sends back)."""
    services(site).projector.catch_up()
    answer = site.get(urls.api_commitment(plan, slug))
    assert answer.status_code == 200, answer.text
    return answer.json()["version"]


def assert_problem(answer, status: int, field: str | None = None) -> dict[str, Any]:
    """A problem details answer (RFC 9457) with this status, naming ``field``."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert {"type", "title", "detail", "errors"} <= problem.keys()
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem
    return problem


# The routes, each with a body that would be accepted: numbered so that no two collide.


def plan_body(n: int) -> dict[str, Any]:
    return {
        "plan": f"plan-{n}",
        "title": "A test plan",
        "publisher": "A council",
        "published_on": "2024-01-15",
        "sources": {"launch": SOURCE},
        "events": [
            {
                "type": "measurement_recorded",
                "date": "2023",
                "source": "launch",
                "metric": "Homes built",
                "value": "1,200",
                "unit": "homes",
            }
        ],
    }


def source_body(n: int) -> dict[str, Any]:
    return {"key": f"report-{n}", **SOURCE}


def commitment_body(n: int) -> dict[str, Any]:
    return {
        "commitment": f"promise-{n}",
        "title": "A promise",
        "theme": "Testing",
        "events": [
            {"type": "announced", "date": "2024-01", "source": KEYED_SOURCE, "summary": "We will."},
            {"type": "deadline_set", "date": "2024-01", "source": KEYED_SOURCE, "due": "2025"},
        ],
    }


def event_body(n: int) -> dict[str, Any]:
    return {**EVENT, "note": f"Event {n}."}


ROUTES: dict[str, tuple[str, Callable[[int], dict], frozenset[str]]] = {
    "create plan": (urls.api_plans(), plan_body, frozenset({"admin"})),
    "register source": (urls.api_sources(PLAN), source_body, frozenset({"admin"})),
    "create commitment": (urls.api_commitments(PLAN), commitment_body, frozenset({"admin"})),
    "record event": (EVENTS, event_body, frozenset({"editor", "admin"})),
}


def callers(site: TestClient) -> dict[str, dict[str, str]]:
    tokens = services(site).tokens
    revoked = tokens.create("former", "admin")
    tokens.revoke("former")
    return {
        "anonymous": {},
        "malformed header": {"Authorization": "Bearer"},
        "basic auth": {"Authorization": "Basic dXNlcjpwYXNz"},
        "wrong token": bearer("tpt_" + "x" * 43),
        "revoked": bearer(revoked),
        "editor": bearer(tokens.create("matrix-editor", "editor", "Example Newsroom")),
        "admin": bearer(tokens.create("matrix-admin", "admin")),
    }


def test_authorisation_matrix_every_write_route_by_every_kind_of_caller(site) -> None:
    """401 without a valid token, 403 for a role that may not, 201 otherwise; and a
    refused request writes nothing."""
    outcomes = {}
    for n, (caller, headers) in enumerate(callers(site).items()):
        for route, (path, body, roles) in ROUTES.items():
            before = head(site)
            answer = site.post(path, json=body(n), headers=headers)
            role = caller if caller in ("editor", "admin") else None
            expected = 201 if role in roles else 403 if role else 401
            outcomes[caller, route] = answer.status_code
            if expected == 201:
                assert answer.status_code == 201, (caller, route, answer.text)
                assert head(site) > before
                continue
            problem = assert_problem(answer, expected)
            assert head(site) == before, (caller, route)
            if expected == 401:
                challenge = answer.headers["www-authenticate"]
                assert challenge.startswith('Bearer realm="tracker"'), (caller, route)
                assert ("error=" in challenge) == (caller != "anonymous"), (caller, route)
            else:
                assert "may not" in problem["detail"]
    assert len(outcomes) == 7 * 4
    assert sorted(route for (caller, route), s in outcomes.items() if s == 201) == [
        "create commitment",
        "create plan",
        "record event",
        "record event",
        "register source",
    ]


# What a write records


def test_an_event_is_recorded_with_who_recorded_it_and_shown_everywhere(site, editor) -> None:
    before = version(site)
    answer = site.post(EVENTS, json=EVENT, headers=editor)

    assert answer.status_code == 201, answer.text
    event = answer.json()
    assert (event["number"], event["version"]) == (before + 1, before + 1)
    assert event["recorded_by"] == "editor, Example Newsroom"
    assert event["source"] == {**SOURCE, "url": None, "author": None, "kind": None, "note": None}
    assert answer.headers["location"] == urls.event(PLAN, COMMITMENT, before + 1)
    assert answer.headers["location"] == event["permalink"]
    assert version(site) == before + 1
    recorded = site.get(urls.api_commitment(PLAN, COMMITMENT)).json()["events"][-1]
    assert {k: recorded[k] for k in event if k != "version"} == {
        k: v for k, v in event.items() if k != "version"
    }
    page = site.get(urls.commitment(PLAN, COMMITMENT)).text
    assert "editor, Example Newsroom" in page and "Resumed." in page


def test_a_source_key_of_the_plan_may_stand_for_the_source(site, editor) -> None:
    answer = site.post(EVENTS, json={**EVENT, "source": KEYED_SOURCE}, headers=editor)

    assert answer.status_code == 201, answer.text
    assert (
        answer.json()["source"]["title"]
        == services(site).tracker.plan(PLAN).sources[KEYED_SOURCE].title
    )


def test_a_transfer_closes_the_commitment_and_the_receiver_shows_where_it_came_from(
    site, editor
) -> None:
    moved = {
        "type": "transferred",
        "date": "2024-05",
        "source": {**SOURCE, "kind": "official", "note": "Board paper."},
        "to_title": "Public scrutiny of the Met",
        "to_plan": PLAN,
        "to_commitment": "public-scrutiny",
    }

    answer = site.post(EVENTS, json=moved, headers=editor)

    assert answer.status_code == 201, answer.text
    assert answer.json()["source"]["kind"] == "official"
    version(site)  # the read models catch up
    row = site.get(urls.api_commitment(PLAN, COMMITMENT)).json()
    assert (row["status"], row["status_source_kind"]) == ("transferred", "official")
    assert (row["days_overdue"], row["stale"]) == (0, False)
    receiver = site.get(urls.api_commitment(PLAN, "public-scrutiny")).json()
    assert receiver["transferred_from"] == [
        {"plan": PLAN, "commitment": COMMITMENT, "date": "2024-05"}
    ]
    page = site.get(urls.commitment(PLAN, COMMITMENT)).text
    link = urls.commitment(PLAN, "public-scrutiny")
    assert f'Transferred to <a href="{link}">Public scrutiny of the Met</a>' in page
    assert "Only the responsible body says so" in page
    assert "Transferred here from" in site.get(link).text


def test_created_plan_source_and_commitment_appear_in_the_read_api(site, admin) -> None:
    plan = site.post(urls.api_plans(), json=plan_body(1), headers=admin)
    assert plan.status_code == 201, plan.text
    assert plan.headers["location"] == urls.api_plan("plan-1")
    assert plan.json()["events"][0]["value"] == 1200
    other = urls.api_sources("plan-1")
    assert site.post(other, json=source_body(2), headers=admin).status_code == 201
    body = commitment_body(3)
    for event in body["events"]:
        event["source"] = "report-2"
    made = site.post(urls.api_commitments("plan-1"), json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["version"] == 2 and made.json()["events"][0]["recorded_by"] == (
        "admin, Tracker Team"
    )

    services(site).projector.catch_up()
    shown = site.get(urls.api_plan("plan-1")).json()
    assert set(shown["sources"]) == {"launch", "report-2"}
    detail = site.get(urls.api_commitment("plan-1", "promise-3")).json()
    assert (detail["due"], detail["version"]) == ("2025", 2)


def test_creating_what_exists_is_a_conflict_and_writes_nothing(site, admin) -> None:
    for path, body in (
        (urls.api_plans(), {**plan_body(0), "plan": PLAN}),
        (urls.api_sources(PLAN), {**SOURCE, "key": KEYED_SOURCE}),
        (urls.api_commitments(PLAN), {**commitment_body(0), "commitment": COMMITMENT}),
    ):
        before = head(site)
        assert_problem(site.post(path, json=body, headers=admin), 409)
        assert head(site) == before


# If-Match


def test_a_stale_if_match_gets_409_with_the_current_version_and_writes_nothing(
    site, editor
) -> None:
    current = version(site)
    before = head(site)

    stale = site.post(EVENTS, json=EVENT, headers={**editor, "If-Match": f'"{current - 1}"'})

    assert assert_problem(stale, 409)["current_version"] == current
    assert head(site) == before
    fresh = site.post(EVENTS, json=EVENT, headers={**editor, "If-Match": f'"{current}"'})
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["version"] == current + 1
    again = site.post(EVENTS, json=EVENT, headers={**editor, "If-Match": f'"{current}"'})
    assert assert_problem(again, 409)["current_version"] == current + 1


@pytest.mark.parametrize("form", ['"{v}"', "{v}", 'W/"{v}"', ' "1", "{v}" ', "*"])
def test_if_match_accepts_the_forms_a_client_may_send(memory_site, form) -> None:
    current = version(memory_site)
    headers = {**memory_token(memory_site), "If-Match": form.format(v=current)}

    answer = memory_site.post(EVENTS, json=EVENT, headers=headers)

    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("value", ["abc", '"3', "3.0", "-1", '""'])
def test_a_malformed_if_match_is_422_naming_the_header(memory_site, value) -> None:
    before = head(memory_site)
    headers = {**memory_token(memory_site), "If-Match": value}

    assert_problem(memory_site.post(EVENTS, json=EVENT, headers=headers), 422, "If-Match")
    assert head(memory_site) == before


# Idempotency-Key


def test_a_retry_with_the_same_key_returns_the_first_answer_and_records_once(site, editor) -> None:
    headers = {**editor, "Idempotency-Key": "b2c5a3e0-0001"}
    before = head(site)

    first = site.post(EVENTS, json=EVENT, headers=headers)
    retry = site.post(EVENTS, json=EVENT, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert head(site) == before + 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(memory_site) -> None:
    headers = {**memory_token(memory_site), "Idempotency-Key": '"key-1"'}
    assert memory_site.post(EVENTS, json=EVENT, headers=headers).status_code == 201
    before = head(memory_site)

    other = memory_site.post(EVENTS, json={**EVENT, "note": "Other."}, headers=headers)
    elsewhere = memory_site.post(
        urls.api_events(PLAN, "public-scrutiny"), json=EVENT, headers=headers
    )

    assert_problem(other, 422, "Idempotency-Key")
    assert_problem(elsewhere, 422, "Idempotency-Key")
    assert head(memory_site) == before


def test_keys_belong_to_their_token(memory_site) -> None:
    one = {**memory_token(memory_site, name="one"), "Idempotency-Key": "same"}
    two = {**memory_token(memory_site, name="two"), "Idempotency-Key": "same"}
    before = head(memory_site)

    assert memory_site.post(EVENTS, json=EVENT, headers=one).status_code == 201
    assert memory_site.post(EVENTS, json=EVENT, headers=two).status_code == 201
    assert head(memory_site) == before + 2


def test_a_refused_write_leaves_its_key_free_for_a_corrected_retry(memory_site) -> None:
    headers = {**memory_token(memory_site), "Idempotency-Key": "k"}
    bad = {**EVENT, "date": "2024-13"}
    assert memory_site.post(EVENTS, json=bad, headers=headers).status_code == 422
    current = version(memory_site)
    stale = {**headers, "If-Match": str(current - 1)}
    assert memory_site.post(EVENTS, json=EVENT, headers=stale).status_code == 409

    assert memory_site.post(EVENTS, json=EVENT, headers=headers).status_code == 201


def test_a_crash_after_recording_is_answered_from_the_record_on_retry(
    site, editor, monkeypatch
) -> None:
    """The event lands, then the server dies before storing the answer: the retry
    finds the key pending, sees its event at its pin, and records nothing new."""
    headers = {**editor, "Idempotency-Key": "crash-after"}
    before, number = head(site), version(site) + 1

    def crash(*args, **kwargs):
        raise RuntimeError("the server died here")

    with monkeypatch.context() as patch:
        patch.setattr(idempotency.IdempotencyKeys, "finish", crash)
        with pytest.raises(RuntimeError):
            site.post(EVENTS, json=EVENT, headers=headers)
    assert head(site) == before + 1

    busy = site.post(EVENTS, json=EVENT, headers=headers)  # within the lease: in progress
    assert "in progress" in assert_problem(busy, 409)["detail"]

    monkeypatch.setattr(idempotency, "LEASE", timedelta(0))
    retry = site.post(EVENTS, json=EVENT, headers=headers)
    replay = site.post(EVENTS, json=EVENT, headers=headers)

    assert retry.status_code == 201, retry.text
    assert (retry.json()["number"], retry.headers["location"]) == (
        number,
        urls.event(PLAN, COMMITMENT, number),
    )
    assert replay.json() == retry.json() and replay.headers["idempotent-replayed"] == "true"
    assert head(site) == before + 1


def test_a_crash_before_recording_is_carried_out_once_on_retry(memory_site, monkeypatch):
    headers = {**memory_token(memory_site), "Idempotency-Key": "crash-before"}
    tracker = services(memory_site).tracker
    before = head(memory_site)

    def crash(*args, **kwargs):
        raise RuntimeError("the server died here")

    with monkeypatch.context() as patch:
        patch.setattr(tracker, "execute", crash)
        with pytest.raises(RuntimeError):
            memory_site.post(EVENTS, json=EVENT, headers=headers)
    assert head(memory_site) == before
    monkeypatch.setattr(idempotency, "LEASE", timedelta(0))

    assert memory_site.post(EVENTS, json=EVENT, headers=headers).status_code == 201
    assert memory_site.post(EVENTS, json=EVENT, headers=headers).status_code == 201
    assert head(memory_site) == before + 1


def test_a_creation_retried_after_a_crash_is_found_not_repeated(memory_site, monkeypatch):
    headers = {**memory_token(memory_site, "admin"), "Idempotency-Key": "new-plan"}

    with monkeypatch.context() as patch:
        patch.setattr(idempotency.IdempotencyKeys, "finish", lambda *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            memory_site.post(urls.api_plans(), json=plan_body(7), headers=headers)
    monkeypatch.setattr(idempotency, "LEASE", timedelta(0))
    before = head(memory_site)

    retry = memory_site.post(urls.api_plans(), json=plan_body(7), headers=headers)

    assert retry.status_code == 201, retry.text
    assert retry.json()["slug"] == "plan-7" and head(memory_site) == before


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "caf\u00e9".encode(), "a\tb"])
def test_a_malformed_idempotency_key_is_422(memory_site, key) -> None:
    headers = {**memory_token(memory_site), "Idempotency-Key": key}
    answer = memory_site.post(EVENTS, json=EVENT, headers=headers)
    assert_problem(answer, 422, "Idempotency-Key")


# Refusals: 413 and 422


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_body_is_413_before_it_is_parsed(memory_site, chunked) -> None:
    body = b'{"note": "' + b"x" * 70_000 + b'"}'
    content = iter([body[:40_000], body[40_000:]]) if chunked else body
    before = head(memory_site)

    answer = memory_site.post(EVENTS, content=content, headers=memory_token(memory_site))

    assert_problem(answer, 413)
    assert head(memory_site) == before


# 415: a body that does not say it is JSON


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_every_write_route_refuses_a_body_not_sent_as_json_with_415(site, content_type) -> None:
    headers = bearer(services(site).tokens.create("ops", "admin", "Tracker Team"))
    if content_type:
        headers["Content-Type"] = content_type
    for n, (path, body, _) in enumerate(ROUTES.values()):
        before = head(site)

        answer = site.post(path, content=json.dumps(body(n)), headers=headers)

        problem = assert_problem(answer, 415, "Content-Type")
        assert (content_type or "no Content-Type") in problem["detail"], path
        assert answer.headers["accept-post"] == "application/json"
        assert head(site) == before, path


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.tracker+json",
    ],
)
def test_json_is_accepted_under_any_json_media_type(memory_site, content_type) -> None:
    headers = {**memory_token(memory_site), "Content-Type": content_type}
    answer = memory_site.post(EVENTS, content=json.dumps(EVENT), headers=headers)
    assert answer.status_code == 201, answer.text


def test_an_oversized_body_is_413_whatever_it_says_it_is(memory_site) -> None:
    headers = {**memory_token(memory_site), "Content-Type": "text/plain"}
    answer = memory_site.post(EVENTS, content=b"x" * 70_000, headers=headers)
    assert_problem(answer, 413)


BAD_EVENTS = {
    "bad date": ({"date": "2021-02-30"}, "date"),
    "a date with a time": ({"date": "2021-02-03T10:00"}, "date"),
    "unknown source key": ({"source": "no-such-source"}, "source"),
    "source missing a field": (
        {"source": {"title": "T", "published_on": "2024"}},
        "source.publisher",
    ),
    "source with a bad date": (
        {"source": {**SOURCE, "published_on": "soon"}},
        "source.published_on",
    ),
    "source with a bad URL": ({"source": {**SOURCE, "url": "javascript:x"}}, "source.url"),
    "unknown event type": ({"type": "exploded"}, "type"),
    "announced again": ({"type": "announced", "summary": "Again."}, "type"),
    "deadline_missed by hand": ({"type": "deadline_missed"}, "type"),
    "missing date": ({"date": None}, "date"),
    "missing status": ({"type": "status_changed", "note": None}, "status"),
    "unknown status": ({"type": "status_changed", "status": "done"}, "status"),
    "missing note": ({"note": None}, "note"),
    "unknown field": ({"colour": "red"}, "colour"),
    "note of the wrong type": ({"note": {"text": "x"}}, "note"),
    "amount of the wrong type": ({"type": "budget_committed", "amount_gbp": True}, "amount_gbp"),
    "amount not a number": ({"type": "budget_committed", "amount_gbp": "lots"}, "amount_gbp"),
    "corrects not a number": ({"type": "correction", "corrects": "first"}, "corrects"),
    "corrects of 5,000 digits": ({"type": "correction", "corrects": "9" * 5000}, "corrects"),
    "an amount with a huge exponent": (
        {"type": "budget_committed", "amount_gbp": "1e5000"},
        "amount_gbp",
    ),
    "an amount of a trillion pounds": (
        {"type": "budget_committed", "amount_gbp": "1,000,000,000,000"},
        "amount_gbp",
    ),
    "an amount in fractions of a penny": (
        {"type": "budget_committed", "amount_gbp": 0.001},
        "amount_gbp",
    ),
    "a target that is not finite": (
        {"type": "target_set", "metric": "m", "unit": "u", "target": "-Infinity"},
        "target",
    ),
    "a value of 10^15": (
        {"type": "measurement_recorded", "metric": "m", "unit": "u", "value": "1e15"},
        "value",
    ),
    "corrects a later event": ({"type": "correction", "corrects": 99}, "corrects"),
    # PostgreSQL's text columns refuse NUL: once recorded, it would stall the read models.
    "a NUL in the note": ({"note": "before\x00after"}, "note"),
    "an escape character in the quote": ({"quote": "\x1b[31mred"}, "quote"),
    "a control character in the source's title": (
        {"source": {**SOURCE, "title": "A\x07B"}},
        "source.title",
    ),
    "an unknown kind of source": ({"source": {**SOURCE, "kind": "rumour"}}, "source.kind"),
    "a status no source reports": ({"type": "status_changed", "status": "announced"}, "status"),
    "a transfer without to_title": ({"type": "transferred"}, "to_title"),
    "a transfer to a plan not in the record": (
        {"type": "transferred", "to_title": "X", "to_plan": "no-such-plan"},
        "to_plan",
    ),
    "a transfer to a commitment not in the record": (
        {"type": "transferred", "to_title": "X", "to_plan": PLAN, "to_commitment": "no-such"},
        "to_commitment",
    ),
}


@pytest.mark.parametrize("change, field", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_an_invalid_event_is_422_naming_the_field_and_writes_nothing(
    memory_site, change, field
) -> None:
    body = {k: v for k, v in {**EVENT, **change}.items() if v is not None}
    before = head(memory_site)

    answer = memory_site.post(EVENTS, json=body, headers=memory_token(memory_site))

    problem = assert_problem(answer, 422, field)
    assert field in problem["detail"] or problem["errors"][0]["field"] == field
    assert head(memory_site) == before


def raw_event(kind: str, fields: str) -> bytes:
    """An event's JSON as a client might write it, with tokens ``json.dumps`` never writes."""
    common = f'"type": "{kind}", "date": "2024-05", "source": "{KEYED_SOURCE}"'
    return f"{{{common}, {fields}}}".encode()


@pytest.mark.parametrize(
    "number", ["1e5000", "9" * 5000, "NaN", "Infinity", "-Infinity", "1e400", "true", "-1"]
)
def test_a_json_number_no_plan_could_hold_is_422_naming_the_field(memory_site, number) -> None:
    content = raw_event("budget_committed", f'"amount_gbp": {number}')
    before = head(memory_site)

    answer = memory_site.post(
        EVENTS, content=content, headers={**JSON, **memory_token(memory_site)}
    )

    assert_problem(answer, 422, "amount_gbp")
    assert head(memory_site) == before


def test_json_nan_is_not_text_and_is_422_naming_the_field(memory_site) -> None:
    content = raw_event("measurement_recorded", '"metric": NaN, "unit": "u", "value": 1')

    answer = memory_site.post(
        EVENTS, content=content, headers={**JSON, **memory_token(memory_site)}
    )

    assert_problem(answer, 422, "metric")


def test_a_json_fraction_is_recorded_exactly_as_written(memory_site) -> None:
    content = raw_event(
        "measurement_recorded", '"metric": "m", "unit": "u", "value": 123456789012.123456'
    )

    answer = memory_site.post(
        EVENTS, content=content, headers={**JSON, **memory_token(memory_site)}
    )

    assert answer.status_code == 201, answer.text
    services(memory_site).projector.catch_up()
    events = memory_site.get(urls.api_commitment(PLAN, COMMITMENT)).json()["events"]
    page = memory_site.get(urls.commitment(PLAN, COMMITMENT)).text
    assert events[-1]["value"] == 123456789012.123456
    assert "123,456,789,012.123456" in page


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 10_000 + b"]" * 10_000]
)
def test_a_body_that_is_not_a_json_object_is_422_naming_the_body(memory_site, content) -> None:
    answer = memory_site.post(
        EVENTS, content=content[:60_000], headers={**JSON, **memory_token(memory_site)}
    )
    assert_problem(answer, 422, "body")


BAD_CREATIONS = {
    "plan: bad date": (
        urls.api_plans(),
        {**plan_body(0), "published_on": "2020-13"},
        "published_on",
    ),
    "plan: bad slug": (urls.api_plans(), {**plan_body(0), "plan": "Not A Slug"}, "plan"),
    "plan: missing title": (urls.api_plans(), {**plan_body(0), "title": None}, "title"),
    "plan: unknown field": (urls.api_plans(), {**plan_body(0), "owner": "x"}, "owner"),
    "plan: bad source": (
        urls.api_plans(),
        {**plan_body(0), "sources": {"launch": {**SOURCE, "title": ""}}},
        "sources.launch.title",
    ),
    "plan: event citing an unknown source": (
        urls.api_plans(),
        {**plan_body(0), "sources": {}},
        "events[0].source",
    ),
    "source: missing key": (urls.api_sources(PLAN), SOURCE, "key"),
    "source: bad URL": (urls.api_sources(PLAN), {**source_body(0), "url": "ftp://x"}, "url"),
    "commitment: not announced first": (
        urls.api_commitments(PLAN),
        {**commitment_body(0), "events": commitment_body(0)["events"][::-1]},
        "events[0].type",
    ),
    "commitment: no events": (
        urls.api_commitments(PLAN),
        {**commitment_body(0), "events": []},
        "events",
    ),
    "commitment: missing summary": (
        urls.api_commitments(PLAN),
        {
            **commitment_body(0),
            "events": [{"type": "announced", "date": "2024", "source": KEYED_SOURCE}],
        },
        "events[0].summary",
    ),
}


@pytest.mark.parametrize("path, body, field", BAD_CREATIONS.values(), ids=BAD_CREATIONS.keys())
def test_an_invalid_creation_is_422_naming_the_field_and_writes_nothing(
    memory_site, path, body, field
) -> None:
    body = {k: v for k, v in body.items() if v is not None}
    before = head(memory_site)

    answer = memory_site.post(path, json=body, headers=memory_token(memory_site, "admin"))

    assert_problem(answer, 422, field)
    assert head(memory_site) == before


def test_an_unknown_plan_or_commitment_is_404(memory_site) -> None:
    editor = memory_token(memory_site)
    assert_problem(memory_site.post(urls.api_events(PLAN, "nope"), json=EVENT, headers=editor), 404)
    assert_problem(
        memory_site.post(urls.api_events("nope", "nope"), json=EVENT, headers=editor), 404
    )
    admin = memory_token(memory_site, "admin", "boss")
    assert_problem(
        memory_site.post(urls.api_sources("nope"), json=source_body(0), headers=admin), 404
    )


# Hostile text: stored as given, shown as text


def test_hostile_text_is_escaped_on_pages_and_feeds_and_neutralised_in_csv(memory_site):
    admin = memory_token(memory_site, "admin", "boss")
    body = commitment_body(9)
    body["title"] = HOSTILE[0] + HOSTILE[3]
    body["owner"] = HOSTILE[3]
    made = memory_site.post(urls.api_commitments(PLAN), json=body, headers=admin)
    assert made.status_code == 201, made.text
    slug = made.json()["slug"]
    for n, text in enumerate(HOSTILE):
        event = {**EVENT, "note": text, "quote": text, "source": {**SOURCE, "title": text}}
        answer = memory_site.post(urls.api_events(PLAN, slug), json=event, headers=admin)
        assert answer.status_code == 201, (n, answer.text)
        assert answer.json()["note"] == text  # stored exactly as given
    services(memory_site).projector.catch_up()

    page = memory_site.get(urls.commitment(PLAN, slug)).text
    for text in HOSTILE[:2]:
        assert text not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<iframe" not in page and "&lt;iframe src=" in page

    for kind in ("rss", "atom"):
        xml = memory_site.get(urls.feed("commitment", kind, plan=PLAN, slug=slug))
        assert xml.status_code == 200
        fragments = _feed_html(xml.content)  # the HTML a feed reader would render
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in f for f in fragments)
        assert any("]]&gt;" in f or "]]>" in f for f in fragments)
        for fragment in fragments:
            assert "<script" not in fragment and "<img" not in fragment
            assert "<iframe" not in fragment

    csv_text = memory_site.get(urls.api_commitments_csv(PLAN)).text
    row = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["slug"] == slug)
    assert row["title"].startswith("<script>") and row["owner"].startswith("'=HYPERLINK(")
    exported = [
        csv_row(entry_record(r.plan, r.commitment, r.entry))
        for r in services(memory_site).tracker.log()
        if r.commitment == slug
    ]
    assert any(r["note"] == "'" + HOSTILE[3] for r in exported)
    assert all(not str(v).startswith(("=", "+", "-", "@")) for r in exported for v in r.values())


def _feed_html(xml: bytes) -> list[str]:
    """Every HTML fragment in a feed (Atom content, RSS description and encoded
    content), as the XML parser hands it to a feed reader."""
    root = ET.fromstring(xml)
    names = ("content", "description", "encoded")
    return [
        element.text or ""
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] in names and element.get("type", "html") == "html"
    ]


# Concurrency


def test_eight_writers_at_once_record_every_event_once_in_order(site) -> None:
    """8 threads x 5 events on one commitment, through the API, without If-Match:
    every event lands once, numbered on from the last, none lost or doubled."""
    tokens = [bearer(services(site).tokens.create(f"writer-{i}", "editor")) for i in range(8)]
    start = version(site)
    failures: list[str] = []
    gate = threading.Barrier(8)

    def writer(i: int) -> None:
        gate.wait()
        for j in range(5):
            body = {**EVENT, "note": f"writer {i}, event {j}"}
            try:
                for _ in range(10):  # a client retries a 409, as it should
                    answer = site.post(EVENTS, json=body, headers=tokens[i])
                    if answer.status_code != 409:
                        break
            except Exception as error:  # a thread's failure must fail the test
                failures.append(repr(error))
                return
            if answer.status_code != 201:
                failures.append(answer.text)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    entries = services(site).tracker.commitment(PLAN, COMMITMENT).entries
    assert [e.number for e in entries] == list(range(1, start + 41))
    notes = [e.fact.note for e in entries[start:]]
    assert sorted(notes) == sorted(f"writer {i}, event {j}" for i in range(8) for j in range(5))
    assert version(site) == start + 40


def test_two_trackers_on_one_store_with_expected_versions_lose_nothing(
    durable_database_url: str, bundled_plan
) -> None:
    """As two server processes would: each write names the version it read, and a
    writer that loses the race reads again and retries."""
    from tracker.datafiles import load

    first = open_tracker(durable_database_url)
    second = open_tracker(durable_database_url)
    load(first, [bundled_plan])
    start = first.commitment(PLAN, COMMITMENT).version
    gate = threading.Barrier(8)

    failures: list[str] = []

    def writer(i: int) -> None:
        tracker = (first, second)[i % 2]
        gate.wait()
        for j in range(5):
            spec = parse_event({**EVENT, "note": f"writer {i}, event {j}"}, {})
            for _ in range(100):
                current = tracker.commitment(PLAN, COMMITMENT).version
                command = RecordEvent(PLAN, COMMITMENT, spec, expected_version=current)
                try:
                    tracker.execute([command], "editor, Example Newsroom")
                    break
                except ConflictError:
                    continue
                except Exception as error:  # a thread's failure must fail the test
                    failures.append(repr(error))
                    return
            else:
                failures.append(f"writer {i} gave up")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        entries = second.commitment(PLAN, COMMITMENT).entries
        assert len(entries) == start + 40
        assert [e.number for e in entries] == list(range(1, start + 41))
        assert len({e.fact.note for e in entries[start:]}) == 40
    finally:
        first.close()
        second.close()


# The OpenAPI document


def test_every_write_route_is_documented_with_its_body_answers_and_security(memory_site):
    document = memory_site.get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, _, _ in ROUTES.values():
        template = path.replace(PLAN, "{plan}").replace(COMMITMENT, "{slug}")
        operation = document["paths"][template]["post"]
        assert operation["security"] == [{"bearer": []}], template
        assert "application/json" in operation["requestBody"]["content"], template
        responses = operation["responses"]
        assert {"Location", "Tracker-Projected"} <= set(responses["201"]["headers"]), template
        names_a_commitment = template.endswith(("/events", "/commitments"))
        assert ("ETag" in responses["201"]["headers"]) == names_a_commitment, template
        statuses = ("401", "403", "409", "413", "415", "422") + (
            ("404",) if "{plan}" in template else ()
        )
        for status in statuses:
            content = responses[status]["content"]
            assert list(content) == ["application/problem+json"], (template, status)
        assert ("404" in responses) == ("{plan}" in template), template
        assert "WWW-Authenticate" in responses["401"]["headers"]
        parameters = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in parameters, template
    event_schema = document["paths"]["/api/v1/plans/{plan}/commitments/{slug}/events"]["post"][
        "requestBody"
    ]["content"]["application/json"]["schema"]
    types = {variant["properties"]["type"]["const"] for variant in event_schema["oneOf"]}
    assert "announced" not in types and "status_changed" in types
    [transfer] = [v for v in event_schema["oneOf"] if v["title"] == "transferred"]
    assert transfer["required"] == ["type", "date", "source", "to_title"]
    [status] = [v for v in event_schema["oneOf"] if v["title"] == "status_changed"]
    assert {"announced", "transferred"}.isdisjoint(status["properties"]["status"]["enum"])
    source = transfer["properties"]["source"]["oneOf"][1]["properties"]
    assert "official" in source["kind"]["enum"] and "note" in source
