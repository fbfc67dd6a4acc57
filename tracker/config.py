"""How a running tracker is set up: every setting in one table, read from a flag or from
its environment variable ``TRACKER_<NAME>`` (contract, section 7).

A flag beats the environment, which beats the default. ``tracker serve`` turns its flags
into this table's values and hands them to its worker processes through the
environment (uvicorn starts each worker afresh, so the environment is what they share);
``web.settings.Settings.from_environment`` reads them back in each worker. So a setting
has one name, one parser and one default, wherever it is read.

A bad value is refused naming the variable or flag, before anything starts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.domain.errors import InvalidInputError

PREFIX = "TRACKER_"
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


def boolean(text: str) -> bool:
    if text.strip().lower() in TRUE:
        return True
    if text.strip().lower() in FALSE:
        return False
    raise ValueError(f"'{text}' is not yes or no (1/0, true/false, yes/no, on/off)")


def count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise ValueError(f"'{text}' is not a whole number from {low} to {high}")
        return int(text)

    return parse


def base_url(text: str) -> str | None:
    """An absolute http(s) URL, kept without its trailing slash; empty means none."""
    text = text.strip()
    if not text:
        return None
    if not text.startswith(("http://", "https://")) or text[-3:] == "://":
        raise ValueError(f"'{text}' is not an absolute http:// or https:// URL")
    return text.rstrip("/")


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 60:
        raise ValueError(f"'{text}' is not a number of seconds from 0 to 60")
    return value


def choice(*names: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in names:
            raise ValueError(f"'{text}' is not one of: {', '.join(names)}")
        return text

    return parse


def text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: its name (``base_url``), how to parse it, its default, and what it
    is for. Its flag is ``--base-url``, its variable ``TRACKER_BASE_URL``; a yes/no
    setting that is on by default is turned off by ``--no-<name>`` (``TRACKER_NO_<NAME>``)."""

    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    negated: bool = False  # the flag and variable say "no-": --no-project, TRACKER_NO_PROJECT

    @property
    def key(self) -> str:
        return f"no_{self.name}" if self.negated else self.name

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    @property
    def variable(self) -> str:
        return PREFIX + self.key.upper()

    def from_environment(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.variable)
        if raw is None:
            return self.default
        try:
            value = self.parse(raw)
        except ValueError as error:
            raise InvalidInputError(f"{self.variable}: {error}", self.variable) from None
        return (not value) if self.negated else value

    def to_environment(self, value: Any) -> str:
        shown = (not value) if self.negated else value
        if isinstance(shown, bool):
            return "1" if shown else "0"
        return "" if shown is None else str(shown)


# The site's settings (``tracker serve``), in the order ``--help`` lists them. The
# database URL is every command's (``--database-url``, ``TRACKER_DATABASE_URL``).
SERVE = (
    Setting("host", text, "127.0.0.1", "address to listen on"),
    Setting("port", count(0, 65535), 8000, "port to listen on"),
    Setting(
        "workers",
        count(1, 64),
        1,
        "web worker processes",
    ),
    Setting(
        "base_url",
        base_url,
        None,
        "the site's public address, for absolute links and feed ids (none: each request's"
        " own host)",
    ),
    Setting(
        "project",
        boolean,
        True,
        "do not follow the log into the read models here (run `tracker project`)",
        negated=True,
    ),
    Setting(
        "tick",
        boolean,
        True,
        "do not record silently missed deadlines daily here (run `tracker tick` from cron)",
        negated=True,
    ),
    Setting(
        "proxy_headers",
        boolean,
        False,
        "trust X-Forwarded-For/-Proto from a proxy (addresses in TRACKER_FORWARDED_ALLOW_IPS,"
        " default 127.0.0.1)",
    ),
    Setting("feed_items", count(1, 1000), 50, "items in each feed"),
    Setting(
        "cache_entries",
        count(0, 1_000_000),
        1024,
        "rendered answers kept per worker (0: no response cache)",
    ),
    Setting(
        "db_connections",
        count(2, 100),
        8,
        "PostgreSQL connections each process may hold (see README, Deploying)",
    ),
    Setting(
        "projection_wait",
        seconds,
        5.0,
        "seconds a write's 201 waits for the read models to show it (0: answer at once)",
    ),
    Setting("log_format", choice("text", "json"), "text", "log lines as text or JSON objects"),
)
BY_NAME = {s.name: s for s in SERVE}


def read(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting's value from the environment (or its default)."""
    environ = os.environ if environ is None else environ
    return {s.name: s.from_environment(environ) for s in SERVE}


def as_environment(values: Mapping[str, Any]) -> dict[str, str]:
    """The variables that carry ``values`` to another process."""
    return {BY_NAME[name].variable: BY_NAME[name].to_environment(v) for name, v in values.items()}


def resolve(flags: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting: the flag's value where one was given, else the environment's,
    else the default."""
    values = read(os.environ if environ is None else environ)
    return values | {name: flags[name] for name in BY_NAME if flags.get(name) is not None}
