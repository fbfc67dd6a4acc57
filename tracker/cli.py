"""``tracker``: load the data files, see where commitments stand, tick, export, serve
the site or publish its static edition, rebuild its read models, and verify the log
against its hash chain.

Every command takes ``--database-url`` (default: ``TRACKER_DATABASE_URL``, else a
SQLite file in the working directory). Errors are one line each on standard error
and a non-zero exit status; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging.config
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from tracker import config
from tracker.application import Tracker, open_tracker, recorded
from tracker.application.exports import csv_lines, export_records, jsonl_lines
from tracker.application.records import entry_record
from tracker.application.specs import date_of
from tracker.application.ticks import tick
from tracker.datafiles import load
from tracker.domain.errors import InvalidInputError, TrackerError
from tracker.domain.figures import corrected_numbers
from tracker.domain.sources import require_text
from tracker.logs import FORMATS, log_config
from tracker.store import chain
from tracker.store.locks import STARTUP, Held
from tracker.store.persistence import DATABASE_URL_VARIABLE, bound_statements, database_url
from tracker.tokencli import add_token_commands

EXIT_FAILURE = 1
WORKER_HEALTHCHECK_SECONDS = 30


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except TrackerError as error:
        for line in str(error).splitlines() or [type(error).__name__]:
            print(f"tracker {args.command}: {line}", file=sys.stderr)
    except (OSError, sqlite3.Error) as error:
        print(f"tracker {args.command}: {error}", file=sys.stderr)
    except Exception as error:  # database drivers' errors: say what, not where
        drivers = ("psycopg", "psycopg_pool", "eventsourcing", "sqlalchemy")
        if type(error).__module__.split(".")[0] not in drivers:
            raise
        print(f"tracker {args.command}: database error: {error}".rstrip(), file=sys.stderr)
    return EXIT_FAILURE


def _version() -> str:
    """The installed distribution's version (a checkout not installed says so)."""
    try:
        return metadata.version("action-plan-tracker")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help=f"sqlite:///PATH, postgresql://... or memory:// (default: ${DATABASE_URL_VARIABLE},"
        " else sqlite:///tracker.sqlite)",
    )
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="An accountability tracker for government action plans.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"tracker {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_record_commands(commands, common)
    _add_log_commands(commands, common)
    _add_site_commands(commands, common)
    add_token_commands(commands, common)
    return parser


def _add_record_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Writing the record and reading it back: load, status, history, plans, tick."""
    p = commands.add_parser("load", parents=[common], help="load plan folders or files")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--recorded-by", default="data files", help="who is recording (a role)")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
    p.set_defaults(run=run_load)

    p = commands.add_parser("status", parents=[common], help="one row per commitment")
    p.add_argument("--plan", metavar="SLUG")
    p.add_argument("--as-of", type=as_of_date, metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument(
        "--as-recorded-at",
        type=moment,
        metavar="TIME",
        help="show the record as it stood at this moment (ISO date or time, UTC)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=run_status)

    p = commands.add_parser("history", parents=[common], help="a commitment's cited history")
    p.add_argument("plan")
    p.add_argument("commitment")
    p.add_argument("--as-recorded-at", type=moment, metavar="TIME")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=run_history)

    p = commands.add_parser("plans", parents=[common], help="the plans in the record")
    p.set_defaults(run=run_plans)

    p = commands.add_parser("tick", parents=[common], help="record deadlines passed in silence")
    p.add_argument("--today", type=day, metavar="YYYY-MM-DD")
    p.set_defaults(run=run_tick)


def _add_log_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """The log as a whole: export it, verify it."""
    p = commands.add_parser("export", parents=[common], help="the whole log, oldest first")
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "log"),
        default="jsonl",
        help="jsonl or csv: the entries; log: every stored event with its hash, for"
        " `tracker verify --file`",
    )
    p.add_argument("--plan", metavar="SLUG", help="jsonl or csv: only this plan's events")
    p.add_argument(
        "--since",
        metavar="DATE",
        help="jsonl or csv: only events that may have happened on or after DATE (an event"
        " dated by month or year is kept when its month or year reaches DATE)",
    )
    p.set_defaults(run=run_export)

    p = commands.add_parser(
        "verify", parents=[common], help="check the stored log against its hash chain"
    )
    p.add_argument(
        "--file",
        metavar="PATH",
        help="check a log export (tracker export --format log) instead of the store;"
        " - reads standard input",
    )
    p.add_argument("--json", action="store_true", help="the result as JSON")
    p.set_defaults(run=run_verify)


def _add_site_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """The site: serve it, publish its static edition, follow the log into its read
    models, rebuild them."""
    p = commands.add_parser("serve", parents=[common], help="the web site, API and feeds")
    _add_settings(p)
    p.set_defaults(run=run_serve)

    p = commands.add_parser(
        "publish",
        parents=[common],
        help="write the static edition: every public page, feed and API document",
    )
    p.add_argument("folder", metavar="DIR", help="where to write it (made if missing)")
    p.add_argument(
        "--base-url",
        default=os.environ.get("TRACKER_BASE_URL"),
        metavar="URL",
        help="the address it will be served from, for the feeds' ids and links"
        " (default: $TRACKER_BASE_URL)",
    )
    p.set_defaults(run=run_publish)

    p = commands.add_parser(
        "project",
        parents=[common],
        help="follow the log into the site's read models, in this process, until stopped",
    )
    p.add_argument("--once", action="store_true", help="catch up once, then stop")
    _add_log_format(p)
    p.set_defaults(run=run_project)

    p = commands.add_parser(
        "rebuild", parents=[common], help="rebuild the site's read models from the log"
    )
    p.set_defaults(run=run_rebuild)


def _add_settings(p: argparse.ArgumentParser) -> None:
    """One flag per setting of ``tracker.config`` (each also ``TRACKER_<NAME>``)."""
    for s in config.SERVE:
        if s.name == "log_format":
            _add_log_format(p)
        elif s.parse is config.boolean:
            const = not s.negated  # --no-project: project is False
            p.add_argument(
                s.flag,
                dest=s.name,
                action="store_const",
                const=const,
                help=f"{s.help} (${s.variable})",
            )
        else:
            shown = "none" if s.default is None else s.default
            p.add_argument(
                s.flag,
                dest=s.name,
                type=_checked(s),
                metavar=s.name.upper(),
                help=f"{s.help} (default: ${s.variable}, else {shown})",
            )


def _checked(setting: config.Setting):
    def parse(text: str) -> Any:
        try:
            return setting.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _add_log_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--log-format",
        type=log_format,
        metavar="{text,json}",
        default=os.environ.get("TRACKER_LOG_FORMAT") or "text",
        help="one line per record, as text or as a JSON object (default: $TRACKER_LOG_FORMAT,"
        " else text)",
    )


# Argument types: a bad value is a usage error naming the option.


def log_format(text: str) -> str:
    """text or json (a default from $TRACKER_LOG_FORMAT is checked the same way)."""
    if text not in FORMATS:
        raise argparse.ArgumentTypeError(f"'{text}' is not a log format (text or json)")
    return text


def as_of_date(text: str) -> date:
    """A date at any precision; a month or year means its last day."""
    try:
        return date_of(text, "as_of").end
    except InvalidInputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day (YYYY-MM-DD)") from None


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO date or time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _tracker(args: argparse.Namespace) -> Tracker:
    """The store, its tables created (under the start-up lock) if they are not there."""
    return open_tracker(database_url(getattr(args, "database_url", None)))


def _reader(args: argparse.Namespace) -> Tracker:
    """The store for a command that only reads: no DDL, unless the store is new and
    has no tables yet (then it reads as empty, as it is)."""
    url = database_url(getattr(args, "database_url", None))
    tracker = open_tracker(url, create_tables=False)
    try:
        tracker.recorder.max_notification_id()
    except Exception:  # no tables yet: a new store, which reads as empty
        tracker.close()
        return open_tracker(url)
    return tracker


# Commands


def run_load(args: argparse.Namespace) -> int:
    require_text(args.recorded_by, "recorded_by", 100)
    tracker = _tracker(args)
    show = None if args.quiet else _progress()
    summary = load(tracker, args.paths, recorded_by=args.recorded_by, progress=show)
    plans = ", ".join(summary.plans)
    print(
        f"loaded {plans}: {summary.files} files, {summary.new_events} new events"
        f" ({summary.new_commitments} new commitments)"
    )
    return 0


def _progress():
    """Progress on standard error, for loads long enough to need it."""
    state = {"shown": False}

    def show(done: int, total: int, label: str) -> None:
        if total < 50 and not state["shown"]:
            return
        if done % max(1, total // 20) == 0 or done == total:
            state["shown"] = True
            print(f"  {done}/{total} files read … {label}", file=sys.stderr)

    return show


def run_status(args: argparse.Namespace) -> int:
    tracker = _reader(args)
    if args.plan:
        tracker.plan(args.plan)  # an unknown plan is an error, not an empty table
    rows = tracker.status(plan=args.plan, as_of=args.as_of, as_recorded_at=args.as_recorded_at)
    if args.format == "json":
        print(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
        return 0
    print(status_table(rows, args.as_of or date.today()))
    return 0


def status_table(rows, as_of: date) -> str:
    """A table a person can read in a terminal, one block per plan."""
    headers = ("COMMITMENT", "STATUS", "DUE", "OVERDUE", "SLIP", "STALE", "LAST EVENT")
    lines = []
    for plan in dict.fromkeys(row.plan for row in rows):
        table = [headers]
        for row in (r for r in rows if r.plan == plan):
            f = row.figures
            table.append(
                (
                    row.slug,
                    f.status.replace("_", " "),
                    f.due.human() if f.due else "no deadline",
                    f"{f.days_overdue:,} days" if f.days_overdue else "-",
                    f"{f.slip_days:,} days" if f.slip_days else "-",
                    "stale" if f.stale else "-",
                    f.last_event_on.human() if f.last_event_on else "-",
                )
            )
        widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
        lines.append(f"{plan} (as of {as_of.isoformat()})")
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table
        )
        lines.append("")
    return "\n".join(lines).rstrip() if lines else "no commitments recorded"


def run_history(args: argparse.Namespace) -> int:
    tracker = _reader(args)
    view = tracker.commitment(args.plan, args.commitment)
    entries = list(view.entries)
    if args.as_recorded_at:
        entries = recorded.known_at(tracker, view.plan, view.slug, entries, args.as_recorded_at)
    if args.format == "json":
        records = [entry_record(view.plan, view.slug, e) for e in entries]
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return 0
    corrected = corrected_numbers(entries)
    print(f"{view.title} ({view.plan}/{view.slug}, version {view.version})")
    for e in entries:
        mark = "  [corrected]" if e.number in corrected else ""
        details = ", ".join(f"{k} {v}" for k, v in e.details.items() if k != "summary")
        print(
            f"{e.number:>3}. {e.date.human()}: {e.type.replace('_', ' ')}"
            f"{' (' + details + ')' if details else ''}{mark}"
        )
        for text in (e.details.get("summary"), e.fact.note):
            if text:
                print(f"       {text}")
        if e.fact.quote:
            print(f"       “{e.fact.quote}”")
        print(f"       Source: {e.source.citation()}")
        print(f"       Recorded {e.recorded_at:%Y-%m-%d %H:%M} UTC by {e.fact.recorded_by}")
    return 0


def run_plans(args: argparse.Namespace) -> int:
    tracker = _reader(args)
    for slug in tracker.plan_slugs():
        plan = tracker.plan(slug)
        print(
            f"{slug}: {plan.title} ({plan.publisher}, {plan.published_on.human()}),"
            f" {len(plan.commitments)} commitments"
        )
    return 0


def run_tick(args: argparse.Namespace) -> int:
    """Safe beside a server that ticks, or another cron: ticks take turns."""
    url = database_url(getattr(args, "database_url", None))
    tracker = open_tracker(url)
    today = args.today or date.today()
    receipts = tick(tracker, url, today)
    for r in receipts:
        print(f"deadline missed: {r.plan}/{r.commitment} (event {r.number})")
    print(f"tick {today.isoformat()}: {len(receipts)} missed deadlines recorded")
    return 0


def run_export(args: argparse.Namespace) -> int:
    tracker = _reader(args)
    if args.format == "log":
        for line in chain.log_export(tracker):
            sys.stdout.write(json.dumps(line) + "\n")
        return 0
    records = export_records(tracker, args.plan, args.since and date_of(args.since, "since").start)
    lines = jsonl_lines(records) if args.format == "jsonl" else csv_lines(records)
    sys.stdout.writelines(lines)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    if args.file:
        if args.file == "-":
            result = chain.verify_export(sys.stdin)
        else:
            with open(args.file, encoding="utf-8") as lines:
                result = chain.verify_export(lines)
        name = "aggregate {}".format
    else:
        tracker = _reader(args)
        result = chain.verify(tracker)
        name = lambda originator_id: chain.describe(tracker, originator_id)  # noqa: E731
    bad = result.mismatch
    if args.json:
        answer = result.as_json()
        if bad:
            answer["mismatch"]["aggregate"] = name(bad.originator_id)
        print(json.dumps(answer, indent=2, ensure_ascii=False))
    elif bad:
        print(
            f"FAILED at event {bad.event} ({name(bad.originator_id)}, version"
            f" {bad.originator_version}): {bad.detail}"
        )
    else:
        print(f"OK: {result.events:,} events, head {result.head_label}")
    return EXIT_FAILURE if bad else 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve the site with ``workers`` processes. Each worker builds its app from the
    environment (``web.app.from_environment``), where this command has put the settings
    it resolved; start-up work is done once among them (``web.services.start``)."""
    import uvicorn

    url = database_url(getattr(args, "database_url", None))
    values = config.resolve(vars(args))
    if values["workers"] > 1 and url.startswith("memory:"):
        raise InvalidInputError(
            "memory:// is private to one process: serve it with one worker", "workers"
        )
    bound_statements()
    open_tracker(url, connections=values["db_connections"]).close()  # fail early, in one line
    os.environ.update(config.as_environment(values) | {DATABASE_URL_VARIABLE: url})
    logging.config.dictConfig(log_config(values["log_format"]))
    uvicorn.run(
        "web.app:from_environment",
        factory=True,
        host=values["host"],
        port=values["port"],
        workers=values["workers"],
        proxy_headers=values["proxy_headers"],
        forwarded_allow_ips=os.environ.get("TRACKER_FORWARDED_ALLOW_IPS") or "127.0.0.1",
        log_config=log_config(values["log_format"]),
        # uvicorn replaces a worker that dies, and kills one that does not answer its
        # health check in time: under a burst of uncached renders on a small machine a
        # busy worker can miss uvicorn's default 5 s, and killing it only adds load.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    return 0


def run_project(args: argparse.Namespace) -> int:
    """The projector in a process of its own: it leads among every process that offers
    to project (``tracker.readmodels.follow``), so ``tracker serve --no-project`` beside
    it is the usual pairing, but not a requirement. Stops cleanly on SIGTERM or Ctrl-C."""
    from tracker.readmodels import Projector, readmodel_engine
    from tracker.readmodels.follow import Follower

    logging.config.dictConfig(log_config(args.log_format))
    url = database_url(getattr(args, "database_url", None))
    connections = config.resolve({})["db_connections"]
    bound_statements()
    tracker = open_tracker(url, connections=connections)
    engine = readmodel_engine(url, connections=connections)
    try:
        projector = Projector(tracker, engine)
        with Held(url, STARTUP):
            projector.create_tables()
        if args.once:
            print(f"projected {projector.catch_up()} events")
            return 0
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        logging.getLogger("tracker.projector").info("following the log (%s)", _shown(url))
        Follower(projector, url).run(stop)
    finally:
        engine.dispose()
        tracker.close()
    return 0


def _shown(url: str) -> str:
    """The URL without its password, for a log line."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def run_publish(args: argparse.Namespace) -> int:
    from pathlib import Path

    from web.publish import publish

    url = database_url(getattr(args, "database_url", None))
    published = publish(Path(args.folder), args.base_url, url)
    done = published.outcome
    for name in done.removed:
        print(f"removed {name}")
    print(
        f"published {published.files} files to {args.folder}: {len(done.written)} written,"
        f" {len(done.unchanged)} unchanged, {len(done.removed)} removed"
    )
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    from tracker.readmodels import Projector, readmodel_engine

    url = database_url(getattr(args, "database_url", None))
    tracker = open_tracker(url)
    engine = readmodel_engine(url)
    try:
        projected = Projector(tracker, engine).rebuild()
    finally:
        engine.dispose()
        tracker.close()
    print(f"rebuilt the read models: {projected} events projected")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
