"""Everything as data: /api/v1/events.jsonl and .csv are ``tracker export`` over HTTP,
on every store: the same lines, the same filters, the same neutralised CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tracker import cli
from tracker.application.records import CHAIN_FIELDS, CSV_FIELDS
from web import urls

PLAN = "london-policing-action-plan-2020"


def exported(site, database_url, monkeypatch, capsys, *args: str) -> str:
    """What ``tracker export`` prints for the site's own store. The in-memory store
    lives in the site's process only, so there the command is handed the site's."""
    capsys.readouterr()
    if database_url.startswith("memory"):
        monkeypatch.setattr(cli, "_reader", lambda _: site.app.state.services.tracker)
        given = []
    else:
        given = ["--database-url", database_url]
    assert cli.main(["export", *args, *given]) == 0
    return capsys.readouterr().out


def number(text: str) -> bool:
    """A figure (such as -20, a fall): a spreadsheet reads it as the number it is."""
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    "query", [{}, {"plan": PLAN}, {"since": "2022-07-15"}, {"plan": PLAN, "since": "2023"}]
)
def test_events_jsonl_is_tracker_export_for_the_same_store(
    site, database_url, monkeypatch, capsys, query
):
    response = site.get(urls.api_events_export("jsonl", **query))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jsonl"
    args = [x for name, value in query.items() for x in (f"--{name}", value)]
    assert response.text == exported(
        site, database_url, monkeypatch, capsys, "--format", "jsonl", *args
    )


def test_since_keeps_the_events_that_may_have_happened_on_or_after_it(site):
    lines = site.get(urls.api_events_export("jsonl", since="2022-07-15")).text.splitlines()
    dates = [json.loads(line)["date"] for line in lines]
    assert dates and all(
        d >= "2022-07-15" or d in ("2022-07", "2022") or d > "2022-07" for d in dates
    )
    assert "2022-07" in dates  # "July 2022" reaches 15 July
    everything = site.get(urls.api_events_export("jsonl")).text.splitlines()
    assert len(everything) > len(lines)


def test_events_csv_parses_with_the_export_columns_and_neutralised_formulas(
    site, database_url, monkeypatch, capsys
):
    response = site.get(urls.api_events_export("csv", plan=PLAN))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [*CSV_FIELDS, *CHAIN_FIELDS]
    assert all(row["plan"] == PLAN for row in rows)
    cells = [v for row in rows for v in row.values() if v and not number(v)]
    assert not [v for v in cells if v[:1] in ("=", "+", "-", "@")]
    assert response.text == exported(
        site, database_url, monkeypatch, capsys, "--format", "csv", "--plan", PLAN
    )


def test_an_export_is_a_named_download_tagged_with_the_logs_head(memory_site):
    head = memory_site.get(urls.api_log()).json()["head"]
    response = memory_site.get(urls.api_events_export("csv", plan=PLAN, since="2022"))
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="events-{PLAN}-since-2022-01-01.csv"'
    assert head.endswith(response.headers["etag"].strip('"'))
    assert response.headers["cache-control"] == "public, max-age=300"
    again = memory_site.get(
        urls.api_events_export("csv", plan=PLAN, since="2022"),
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [({"since": "2022-02-30"}, 422, "since"), ({"plan": "no-such-plan"}, 404, None)],
)
def test_a_bad_filter_is_refused_in_json_naming_it(memory_site, query, status, field):
    for kind in ("jsonl", "csv"):
        response = memory_site.get(urls.api_events_export(kind, **query))
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        if field:
            assert [e["field"] for e in response.json()["errors"]] == [field]
