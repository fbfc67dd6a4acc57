"""Whatever values an event's fields hold, each entry point refuses them cleanly or the
record shows them: never a 5xx, never a traceback, never a broken export line.

Hypothesis draws every field of every event type from a mix of good values and hostile
ones (text with bidirectional and control characters, numbers such as NaN, Infinity,
1e5000, 5,000 digits, booleans, impossible dates) and drives them through the data files
and the write API; what is accepted is then read back through pages, both feed formats,
the API and ``tracker export``. The in-memory store keeps them fast.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tracker import cli
from tracker.application import open_tracker
from tracker.application.specs import TYPE_FIELDS
from tracker.datafiles import LoadError, load
from web import urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
KEYED_SOURCE = "mayor-press-release-2020-11-13"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RECORDED_TYPES = [kind for kind in TYPE_FIELDS if kind != "announced"]


class Raw(str):
    """A JSON token written as is: numbers json.dumps cannot or will not write."""


BIDI_AND_CONTROLS = "\u202e\u202d\u202a\u2066\u2067\u2068\u2069\u200e\u200f\x00\x1b\x07\t\n<>&\"'"
texts = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from(BIDI_AND_CONTROLS + "ab עב"), min_size=1, max_size=20),
)
number_tokens = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e5000", "-1e400", "1e1000000", "true"]),
    st.sampled_from(["9" * 5000, "0." + "1" * 5000, "1E-7", "0.001", "1000000000000"]),
    st.from_regex(r"-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,8})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
).map(Raw)
number_texts = st.one_of(
    st.sampled_from(["1,500,000", "1_000", "1,5", "£1m", "nan", "inf", "1e5000", " 12 ", "٣"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
numbers = st.one_of(number_tokens, number_texts, st.booleans(), st.integers(-(10**20), 10**20))
dates = st.one_of(
    st.sampled_from(["2024", "2024-05", "2024-05-31", "2024-02-30", "2024-13", "0000", "soon"]),
    st.integers(1, 9999).map(str),
    texts,
)
good_texts = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cc", "Cs")), st.sampled_from(BIDI_AND_CONTROLS[:9])
    ),
    max_size=30,
).map(lambda t: f"t{t}")
GOOD = {
    "date": st.sampled_from(["2024", "2024-05", "2024-05-02"]),
    "due": st.sampled_from(["2025", "2025-06"]),
    "status": st.sampled_from(["delayed", "in_progress"]),
    "amount_gbp": st.sampled_from([Raw("250000"), "1,500,000.50", Raw("0"), Raw("12.5")]),
    "target": st.sampled_from([Raw("500"), "3.7", Raw("-2.25"), Raw("1.5e6")]),
    "value": st.sampled_from([Raw("120"), "0.58", Raw("999999999999999.999999")]),
    "corrects": st.sampled_from([Raw("2"), "1"]),
    "source": st.one_of(
        st.just(KEYED_SOURCE),
        st.fixed_dictionaries(
            {"publisher": good_texts, "title": good_texts, "published_on": st.just("2024-01")},
            optional={"author": good_texts, "url": st.just("https://example.org/x")},
        ),
    ),
}
HOSTILE = {
    "date": dates,
    "due": dates,
    "amount_gbp": numbers,
    "target": numbers,
    "value": numbers,
    "corrects": numbers,
    "source": st.one_of(
        texts,
        st.fixed_dictionaries(
            {"publisher": texts, "title": texts, "published_on": dates},
            optional={"author": texts, "url": st.sampled_from(["javascript:x", "https://x/\n"])},
        ),
    ),
}


@st.composite
def events(draw, types: list[str] = RECORDED_TYPES, calm: int = 1) -> dict[str, Any]:
    """One event of a type in ``types``: every field good but (often) one, drawn from
    hostile values, so that accepted events get read back too. ``calm`` to one are
    the odds that no field is hostile."""
    kind = draw(st.sampled_from(types))
    fields = ("date", "source", *TYPE_FIELDS[kind], "note", "quote")
    no_field = st.integers(0, calm - 1).map(lambda n: None)
    hostile = draw(st.one_of(no_field, st.sampled_from(fields)))
    event: dict[str, Any] = {"type": kind}
    for name in fields:
        if name == hostile:
            value = draw(st.one_of(HOSTILE.get(name, st.one_of(texts, numbers)), st.none()))
        elif name in ("note", "quote"):
            value = draw(st.one_of(st.none(), good_texts))
        else:
            value = draw(GOOD.get(name, good_texts))
        if value is not None:
            event[name] = value
    if kind in ("progress_reported", "correction") and hostile != "note":
        event.setdefault("note", "t")
    return event


def json_text(value: Any) -> str:
    """JSON as a client might write it, raw tokens included."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json_text(k)}: {json_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


# Reading back: every page, feed, API answer and export line


READS = (
    urls.commitment(PLAN, COMMITMENT),
    urls.commitment(PLAN, COMMITMENT) + "?as_of=2024-06",
    urls.plan(PLAN),
    urls.timeline(),
    urls.delays(),
    f"/plans/{PLAN}/commitments/{COMMITMENT}/feed.rss",
    f"/plans/{PLAN}/commitments/{COMMITMENT}/feed.atom",
    f"/plans/{PLAN}/feed.rss",
    f"/plans/{PLAN}/feed.atom",
    urls.api_commitment(PLAN, COMMITMENT),
    f"/api/v1/plans/{PLAN}",
    "/api/v1/log.jsonl",
)


def assert_every_read_answers(site: TestClient) -> None:
    for path in READS:
        answer = site.get(path)
        assert answer.status_code == 200, (path, answer.status_code)


def exported(tracker, fmt: str) -> str:
    """``tracker export --format fmt`` of this very store."""
    out = io.StringIO()
    with mock.patch.object(cli, "_reader", lambda args: tracker), contextlib.redirect_stdout(out):
        assert cli.main(["export", "--format", fmt]) == 0
    return out.getvalue()


def assert_export_is_whole(tracker) -> None:
    events = sum(1 for _ in tracker.log())
    for fmt in ("jsonl", "log"):
        lines = exported(tracker, fmt).splitlines()
        assert all(json.loads(line) for line in lines)
    assert len(list(csv.DictReader(io.StringIO(exported(tracker, "csv"))))) == events


# The write API


@pytest.fixture(scope="module")
def api_site() -> Iterator[TestClient]:
    settings_ = Settings(database_url="memory://", project=False, tick=False)
    with TestClient(create_app(settings_), base_url="http://testserver") as client:
        services = client.app.state.services
        token = services.tokens.create("fuzz", "editor", "Example Newsroom")
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@SETTINGS
@given(drawn=events())
def test_the_write_api_refuses_cleanly_or_records_what_every_reader_then_shows(api_site, drawn):
    services = api_site.app.state.services
    before = services.tracker.recorder.max_notification_id()

    answer = api_site.post(
        urls.api_events(PLAN, COMMITMENT),
        content=json_text(drawn).encode(),
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code in (201, 422), answer.text
    event(f"{drawn['type']}: {answer.status_code}")
    if answer.status_code == 422:
        assert answer.json()["errors"][0]["field"]
        assert services.tracker.recorder.max_notification_id() == before
        return
    services.projector.catch_up()
    assert_every_read_answers(api_site)
    assert_export_is_whole(services.tracker)


# The data files


def yaml_value(value: Any) -> Any:
    """What a data file's author would type: every scalar is text to the loader."""
    if isinstance(value, dict):
        return {k: yaml_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [yaml_value(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plans") / "fuzz-plan"
    folder.mkdir()
    plan = {
        "plan": "fuzz-plan",
        "title": "A plan",
        "publisher": "A council",
        "published_on": "2020-11-13",
        "sources": {
            KEYED_SOURCE: {"publisher": "A council", "title": "It", "published_on": "2020"}
        },
    }
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    return folder


@SETTINGS
@given(
    announced=events(["announced"], calm=4),
    drawn=events(),
    header=st.fixed_dictionaries(
        {"title": st.one_of(good_texts, good_texts, good_texts, texts), "theme": good_texts}
    ),
)
def test_a_data_file_is_refused_naming_file_and_line_or_loaded_and_exported_whole(
    plan_folder, announced, drawn, header
):
    path = plan_folder / "fuzz.yaml"
    doc = {"commitment": "fuzz", **yaml_value(header), "events": [announced, drawn]}
    text = yaml.safe_dump(yaml_value(doc), allow_unicode=True, sort_keys=False, width=10**6)
    path.write_text(text, encoding="utf-8")
    tracker = open_tracker("memory://")
    try:
        try:
            load(tracker, [plan_folder])
        except LoadError as refused:
            event("refused")
            assert all(line.startswith(f"{path}:") for line in str(refused).splitlines())
            assert sum(1 for _ in tracker.log()) == 0
            return
        event(f"{drawn['type']}: loaded")
        assert tracker.commitment("fuzz-plan", "fuzz").entries
        assert_export_is_whole(tracker)
    finally:
        tracker.close()
