"""Whatever an older version stored, every page, feed, API answer and export still reads it.

The record is append-only: a value that slipped past an older version's checks
(``1E+5000``, ``NaN``, a 5,000-digit number, a million-digit exponent) can never be
removed, only corrected. These tests store such values straight into a store, past
every check, the way an older version would have, and then read everything.
"""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from tracker import cli
from tracker.application.service import fold
from tracker.domain.chronicle import Chronicle
from tracker.domain.dates import PartialDate
from tracker.domain.ids import commitment_id, plan_id
from tracker.domain.sources import Fact, Source
from web import urls

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
SOURCE = Source("Example Newsroom", "Figures", PartialDate(2024, 1, 5))
HOSTILE_NUMBERS = {
    "a huge exponent": Decimal("1e5000"),
    "a million-digit exponent": Decimal("1e1000000"),
    "not a number": Decimal("NaN"),
    "minus infinity": Decimal("-Infinity"),
    "5,000 digits": Decimal("9" * 5000),
    "text": "about £2m",
}
# Shown as stored: no digit grouping, no rounding, escaped.
AS_SHOWN = {
    "a huge exponent": "1E+5000",
    "a million-digit exponent": "1E+1000000",
    "not a number": "NaN",
    "minus infinity": "-Infinity",
    "5,000 digits": "9" * 5000,
    "text": "about £2m",
}


def store_unchecked(site, aggregate_id, event_class, **fields: Any) -> None:
    """Record an event past every check, as an older version might have."""
    services = site.app.state.services
    tracker = services.tracker
    aggregate = tracker.repository.get(aggregate_id, projector_func=fold)
    fact = Fact(PartialDate(2024, 1, 5), SOURCE, "editor (an older version)", "Stored as is")
    aggregate.trigger_event(getattr(type(aggregate), event_class.__name__), fact=fact, **fields)
    tracker.save(aggregate)
    services.projector.catch_up()


def store_every_hostile_number(site, name: str) -> Any:
    value = HOSTILE_NUMBERS[name]
    commitment = commitment_id(PLAN, COMMITMENT)
    store_unchecked(site, commitment, Chronicle.BudgetCommitted, amount_gbp=value)
    store_unchecked(
        site, commitment, Chronicle.TargetSet, metric="officers", target=value, unit="officers"
    )
    store_unchecked(
        site, commitment, Chronicle.MeasurementRecorded, metric="officers", value=value, unit="x"
    )
    store_unchecked(
        site, plan_id(PLAN), Chronicle.MeasurementRecorded, metric="trust", value=value, unit="%"
    )
    return value


READS = [
    urls.home(),
    urls.plan(PLAN),
    urls.commitment(PLAN, COMMITMENT),
    urls.commitment(PLAN, COMMITMENT) + "?as_of=2024-06",
    urls.timeline(),
    urls.delays(),
    "/log",
    "/feeds/all.rss",
    "/feeds/all.atom",
    f"/plans/{PLAN}/feed.rss",
    f"/plans/{PLAN}/feed.atom",
    f"/plans/{PLAN}/commitments/{COMMITMENT}/feed.rss",
    f"/plans/{PLAN}/commitments/{COMMITMENT}/feed.atom",
    "/api/v1/plans",
    f"/api/v1/plans/{PLAN}",
    f"/api/v1/plans/{PLAN}/commitments",
    f"/api/v1/plans/{PLAN}/commitments.csv",
    f"/api/v1/plans/{PLAN}/commitments/{COMMITMENT}",
    "/api/v1/timeline",
    "/api/v1/delays",
    "/api/v1/log",
    "/api/v1/log.jsonl",
]


@pytest.mark.parametrize("name", HOSTILE_NUMBERS)
def test_every_page_feed_and_api_answer_reads_a_stored_hostile_number(site, name):
    store_every_hostile_number(site, name)

    for path in READS:
        started = time.monotonic()
        response = site.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert time.monotonic() - started < 2, path


@pytest.mark.parametrize("name", HOSTILE_NUMBERS)
def test_a_stored_hostile_number_is_shown_as_it_was_recorded(memory_site, name):
    store_every_hostile_number(memory_site, name)

    page = memory_site.get(urls.commitment(PLAN, COMMITMENT)).text
    feed = memory_site.get(f"/plans/{PLAN}/commitments/{COMMITMENT}/feed.atom").text
    api = memory_site.get(f"/api/v1/plans/{PLAN}/commitments/{COMMITMENT}").json()

    assert AS_SHOWN[name] in page
    assert AS_SHOWN[name] in feed
    budget = next(e for e in api["events"] if e["type"] == "budget_committed")
    assert budget["amount_gbp"] == AS_SHOWN[name]


def test_an_ordinary_stored_number_is_still_grouped_and_exported_as_a_number(memory_site):
    store_unchecked(
        memory_site,
        commitment_id(PLAN, COMMITMENT),
        Chronicle.BudgetCommitted,
        amount_gbp=Decimal("1700000.50"),
    )

    page = memory_site.get(urls.commitment(PLAN, COMMITMENT)).text
    api = memory_site.get(f"/api/v1/plans/{PLAN}/commitments/{COMMITMENT}").json()

    assert "£1,700,000.5" in page
    assert next(e for e in api["events"] if e["type"] == "budget_committed")["amount_gbp"] == (
        1700000.5
    )


@pytest.mark.parametrize("name", HOSTILE_NUMBERS)
def test_export_and_verify_read_a_stored_hostile_number_to_the_end(site, name, capsys):
    store_every_hostile_number(site, name)
    tracker = site.app.state.services.tracker

    with mock.patch.object(cli, "_reader", lambda args: tracker):  # this very store
        for fmt in ("jsonl", "csv", "log"):
            assert cli.main(["export", "--format", fmt]) == 0, fmt
            out = capsys.readouterr().out
            if fmt == "csv":
                rows = list(csv.DictReader(io.StringIO(out)))
                assert rows[-1]["value"].removeprefix("'") == AS_SHOWN[name]  # "-" neutralised
            else:
                records = [json.loads(line) for line in out.splitlines()]
                if fmt == "jsonl":
                    assert records[-1]["value"] == AS_SHOWN[name]
        assert cli.main(["verify"]) == 0
