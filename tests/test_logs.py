"""Logs are one line per record, as text or as JSON objects, for every logger in the
process, uvicorn's included."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from tracker.cli import build_parser
from tracker.logs import log_config


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the root logger back as it was: the tests configure the whole process."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def records_on_stderr(log_format: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    logging.config.dictConfig(log_config(log_format))
    logging.getLogger("tracker.readmodels.projector").info("projected %d events", 3)
    try:
        raise RuntimeError("the store went away")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    return capsys.readouterr().err.splitlines()


def test_json_logs_are_one_object_a_line_with_time_level_logger_and_message(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = records_on_stderr("json", capsys)

    assert len(lines) == 2  # the traceback stays inside its record
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "projected 3 events"
    assert first["level"] == "info" and first["logger"] == "tracker.readmodels.projector"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "error" and second["logger"] == "uvicorn.error"
    assert "RuntimeError: the store went away" in second["exception"]


def test_text_logs_carry_the_time_level_and_logger(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    first = records_on_stderr("text", capsys)[0]

    assert first.endswith("INFO tracker.readmodels.projector: projected 3 events")
    assert first[:4].isdigit()  # it starts with the time


def test_serve_takes_the_log_format_from_its_flag_else_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert build_parser().parse_args(["serve"]).log_format == "text"
    assert build_parser().parse_args(["serve", "--log-format", "json"]).log_format == "json"
    monkeypatch.setenv("TRACKER_LOG_FORMAT", "json")
    assert build_parser().parse_args(["serve"]).log_format == "json"


def test_an_unknown_log_format_is_a_usage_error_naming_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", "--log-format", "yaml"])

    assert exited.value.code == 2
    assert "--log-format: 'yaml' is not a log format" in capsys.readouterr().err
