"""Settings come from one table (``tracker.config``): a flag beats its ``TRACKER_<NAME>``
variable, which beats the default; a bad value is refused naming the variable; and what
``tracker serve`` hands its workers through the environment is read back unchanged."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tracker import config
from tracker.cli import build_parser, main
from tracker.domain.errors import InvalidInputError
from web.settings import Settings


def test_every_setting_has_a_flag_and_a_variable_named_after_it():
    names = {s.name: (s.flag, s.variable) for s in config.SERVE}

    assert names["base_url"] == ("--base-url", "TRACKER_BASE_URL")
    assert names["workers"] == ("--workers", "TRACKER_WORKERS")
    assert names["project"] == ("--no-project", "TRACKER_NO_PROJECT")
    assert names["tick"] == ("--no-tick", "TRACKER_NO_TICK")
    assert names["proxy_headers"] == ("--proxy-headers", "TRACKER_PROXY_HEADERS")


def test_without_flags_or_variables_each_setting_has_its_default():
    values = config.resolve({}, environ={})

    assert values["workers"] == 1
    assert values["base_url"] is None
    assert values["project"] is True and values["tick"] is True
    assert values["proxy_headers"] is False
    assert values["feed_items"] == 50


def test_a_variable_beats_the_default_and_a_flag_beats_the_variable():
    environ = {"TRACKER_WORKERS": "3", "TRACKER_NO_TICK": "yes", "TRACKER_FEED_ITEMS": "20"}
    flags = vars(build_parser().parse_args(["serve", "--workers", "4"]))

    values = config.resolve(flags, environ)

    assert values["workers"] == 4  # the flag
    assert values["tick"] is False  # the variable
    assert values["feed_items"] == 20  # the variable
    assert values["project"] is True  # the default


def test_a_negated_flag_turns_its_setting_off():
    flags = vars(build_parser().parse_args(["serve", "--no-project", "--no-tick"]))

    values = config.resolve(flags, environ={})

    assert values["project"] is False and values["tick"] is False


def test_a_base_url_loses_its_trailing_slash_and_must_be_absolute():
    assert config.resolve({}, {"TRACKER_BASE_URL": "https://tracker.example/"})["base_url"] == (
        "https://tracker.example"
    )
    with pytest.raises(InvalidInputError, match=r"TRACKER_BASE_URL: 'tracker\.example'"):
        config.resolve({}, {"TRACKER_BASE_URL": "tracker.example"})


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TRACKER_WORKERS", "four", "TRACKER_WORKERS: 'four' is not a whole number from 1 to 64"),
        ("TRACKER_WORKERS", "0", "TRACKER_WORKERS: '0' is not a whole number from 1 to 64"),
        ("TRACKER_NO_PROJECT", "maybe", "TRACKER_NO_PROJECT: 'maybe' is not yes or no"),
        ("TRACKER_LOG_FORMAT", "yaml", "TRACKER_LOG_FORMAT: 'yaml' is not one of: text, json"),
    ],
)
def test_a_bad_variable_is_refused_naming_it(variable, value, says):
    with pytest.raises(InvalidInputError) as refused:
        config.resolve({}, {variable: value})

    assert str(refused.value).startswith(says)


def test_serve_refuses_a_bad_variable_in_one_line_before_starting(monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_FEED_ITEMS", "lots")

    status = main(["--database-url", "memory://", "serve"])

    assert status == 1
    assert capsys.readouterr().err == (
        "tracker serve: TRACKER_FEED_ITEMS: 'lots' is not a whole number from 1 to 1000\n"
    )


def test_serve_refuses_a_bad_flag_naming_it(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--workers", "0"])

    assert "argument --workers: '0' is not a whole number from 1 to 64" in capsys.readouterr().err


def test_serve_refuses_several_workers_on_a_store_private_to_one_process(capsys):
    status = main(["--database-url", "memory://", "serve", "--workers", "2"])

    assert status == 1
    assert "memory:// is private to one process" in capsys.readouterr().err


def test_what_serve_hands_its_workers_is_what_each_worker_reads_back():
    values = config.resolve(
        {"base_url": "https://t.example", "project": False, "feed_items": 7, "db_connections": 4},
        environ={},
    )
    environ = config.as_environment(values) | {"TRACKER_DATABASE_URL": "sqlite:///x.sqlite"}

    settings = Settings.from_environment(environ)

    assert settings.database_url == "sqlite:///x.sqlite"
    assert settings.base_url == "https://t.example"
    assert settings.project is False and settings.tick is True
    assert settings.feed_items == 7
    assert settings.db_connections == 4


def test_the_readme_documents_every_setting_with_its_flag_variable_and_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") : readme.index("## Deploying")]
    rows = {
        line.split("|")[2].strip(" `"): line for line in table.splitlines() if "TRACKER_" in line
    }

    for setting in config.SERVE:
        row = next((r for v, r in rows.items() if v.startswith(setting.variable)), None)
        assert row is not None, f"{setting.variable} is not in the README's table"
        assert f"`{setting.flag}" in row
        if setting.default not in (None, True, False):
            assert f"`{setting.default}`" in row
