"""The pure helpers of ``bench/deploy.py``: what it concludes from wrk's output, from the
log's markers and positions, and from the tracker's help texts. The scenarios
themselves need PostgreSQL, wrk and minutes; they are run by hand (``make
bench-deploy``), never here."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from tracker.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _deploy():
    spec = importlib.util.spec_from_file_location("bench_deploy", ROOT / "bench" / "deploy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_deploy"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


deploy = _deploy()

# Real output of wrk 4.1 with --latency and the script from ``deploy.wrk_script``, against
# a server that answered 503 to one as_of in three.
WRK_OUTPUT = """\
Running 1s test @ http://127.0.0.1:18765/x
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.59ms    3.77ms  17.04ms   70.29%
    Req/Sec   473.24    197.01     1.17k    90.48%
  Latency Distribution
     50%    3.98ms
     75%    7.06ms
     90%    9.96ms
     99%   15.93ms
  990 requests in 1.10s, 114.60KB read
  Non-2xx or 3xx responses: 316
Requests/sec:    899.84
Transfer/sec:    104.17KB
status 200 674
status 503 316
"""


def test_wrk_output_is_read_into_rate_latency_errors_and_statuses() -> None:
    run = deploy.parse_wrk(WRK_OUTPUT)

    assert run["requests"] == 990
    assert run["seconds"] == pytest.approx(1.10)
    assert run["rps"] == pytest.approx(899.84)
    assert run["p50_ms"] == pytest.approx(3.98)
    assert run["p99_ms"] == pytest.approx(15.93)
    assert run["non_2xx_3xx"] == 316
    assert run["statuses"] == {200: 674, 503: 316}
    assert run["socket_errors"] == {"connect": 0, "read": 0, "write": 0, "timeout": 0}


def test_wrk_socket_errors_and_other_units_are_read() -> None:
    text = WRK_OUTPUT.replace("  990 requests in 1.10s", "  990 requests in 1.00m").replace(
        "     99%   15.93ms", "     99%    1.20s"
    )
    text = text.replace(
        "  Non-2xx", "  Socket errors: connect 0, read 3, write 0, timeout 12\n  Non-2xx"
    )

    run = deploy.parse_wrk(text)

    assert run["seconds"] == pytest.approx(60.0)
    assert run["p99_ms"] == pytest.approx(1200.0)
    assert run["socket_errors"] == {"connect": 0, "read": 3, "write": 0, "timeout": 12}


def test_wrk_output_without_a_request_count_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        deploy.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_wrk_script_varies_as_of_over_the_dates_given() -> None:
    dates = deploy.as_of_dates(date(2024, 2, 28), 3)
    script = deploy.wrk_script(dates)

    assert dates == ["2024-02-28", "2024-02-29", "2024-03-01"]
    assert '"2024-02-28", "2024-02-29", "2024-03-01"' in script
    assert 'string.format("status %d %d\\n"' in script  # the lines parse_wrk reads


def test_exactly_once_passes_when_each_acknowledged_marker_is_logged_once() -> None:
    result = deploy.exactly_once(["a", "b"], ["a", "b", "c"], ["b", "a"])

    assert result.ok
    assert (result.acknowledged, result.logged) == (2, 2)
    assert result.missing == result.duplicated == result.unacknowledged_logged == ()


def test_exactly_once_names_lost_duplicated_and_unknown_events() -> None:
    result = deploy.exactly_once(["a", "b", "c"], ["a", "b", "c", "d"], ["a", "a", "c", "d", "x"])

    assert not result.ok
    assert result.missing == ("b",)
    assert result.duplicated == ("a",)
    assert result.unacknowledged_logged == ("d",)  # its answer was lost: allowed
    assert result.unknown == ("x",)  # nobody sent it


def test_a_logged_write_whose_answer_was_lost_is_allowed() -> None:
    result = deploy.exactly_once(["a"], ["a", "b"], ["a", "b"])

    assert result.ok
    assert result.unacknowledged_logged == ("b",)


def test_gaps_and_duplicates_in_positions() -> None:
    assert deploy.gaps([1, 2, 3]) == []
    assert deploy.gaps([3, 1, 5]) == [2, 4]
    assert deploy.gaps([]) == []
    assert deploy.duplicates([1, 2, 2, 3, 3, 3]) == [2, 3]


def test_rates_are_ratios_to_the_smallest_worker_count() -> None:
    assert deploy.ratios({1: 100.0, 2: 150.0, 4: 50.0}) == {1: 1.0, 2: 1.5, 4: 0.5}
    assert deploy.ratios({1: 0.0, 2: 10.0}) == {1: None, 2: None}
    assert deploy.ratios({}) == {}


def test_percentiles_are_nearest_rank() -> None:
    stats = deploy.percentiles(range(1, 101))

    assert stats == {"n": 100, "p50": 50, "p95": 95, "max": 100}
    assert deploy.percentiles([7.0]) == {"n": 1, "p50": 7.0, "p95": 7.0, "max": 7.0}
    assert deploy.percentiles([])["p50"] is None


def test_recovery_is_measured_from_when_the_store_was_back() -> None:
    answers = [(0.0, True), (1.0, False), (2.0, False), (2.5, True), (3.0, False), (4.0, True)]

    assert deploy.recovery_seconds(answers, back_at=2.0) == (0.5, 1.0)
    assert deploy.recovery_seconds([(3.0, True), (4.0, False)], back_at=2.0) == (1.0, None)
    assert deploy.recovery_seconds([(3.0, True)], back_at=2.0) == (1.0, 0.0)
    assert deploy.recovery_seconds([], back_at=2.0) == (None, None)


def test_a_503_needs_retry_after() -> None:
    assert deploy.retry_after_ok(503, "2")
    assert not deploy.retry_after_ok(503, None)
    assert not deploy.retry_after_ok(503, " ")
    assert deploy.retry_after_ok(201, None)


def test_capabilities_are_read_from_the_help_texts() -> None:
    serve = "usage: tracker serve [--workers N] [--no-project] [--no-tick] [--base-url URL]"
    main = "usage: tracker [-h] COMMAND ...\n  {load,status,project,serve,verify}"

    caps = deploy.capabilities(serve, main)

    assert caps.full and caps.no_tick and caps.base_url
    assert "tracker project" in caps.describe(4)
    assert not deploy.capabilities("usage: tracker serve [--port P]", main).full


def test_commands_listed_under_a_metavar_are_found() -> None:
    serve = "[--workers WORKERS] [--no-project] [--no-tick]"
    main = "positional arguments:\n  COMMAND\n    load                load plans\n    project\n"

    assert deploy.capabilities(serve, main).project_command
    assert not deploy.capabilities(serve, main.replace("project", "publish")).project_command
    partial = deploy.capabilities(serve, "")
    assert partial.describe(4).startswith("FALLBACK: `tracker serve --workers 4`")


def test_capabilities_of_this_checkouts_tracker_match_its_parser() -> None:
    """What the script would detect here, from the real help texts."""
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    caps = deploy.capabilities(commands["serve"].format_help(), parser.format_help())

    assert caps.project_command == ("project" in commands)
    assert caps.workers == any(
        "--workers" in action.option_strings for action in commands["serve"]._actions
    )
    if not caps.full:
        assert caps.describe(4).startswith("FALLBACK")


def test_a_201_version_is_read_from_its_etag_else_its_body() -> None:
    def answer(headers, body):
        return deploy.Answer(201, headers, body, None, 0.0, 0.0)

    assert deploy.version_from(answer({"etag": '"7"'}, b"{}")) == 7
    assert deploy.version_from(answer({"etag": 'W/"8"'}, b"{}")) == 8
    assert deploy.version_from(answer({}, b'{"version": 9}')) == 9
    assert deploy.version_from(answer({}, b"not json")) is None
