"""``tracker token create|list|revoke``: the API tokens of the write API.

Kept apart from ``tracker.cli`` (which only adds these subcommands) so that the token
commands read as one piece. The secret is printed once, alone on standard output, so
that ``TOKEN=$(tracker token create ...)`` works; everything else goes to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from tracker.access import ROLES, TokenInfo, Tokens
from tracker.domain.errors import InvalidInputError
from tracker.store.persistence import database_url


def add_token_commands(commands, common: argparse.ArgumentParser) -> None:
    """``tracker token ...``, under the main parser's subcommands."""
    token = commands.add_parser("token", parents=[common], help="API tokens for the write API")
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = actions.add_parser("create", parents=[common], help="create a token; printed once")
    p.add_argument("--name", required=True, help="a unique name (lowercase, digits, hyphens)")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument(
        "--organisation", help="shown as who recorded each event, e.g. 'Example Newsroom'"
    )
    p.set_defaults(run=run_create)

    p = actions.add_parser("list", parents=[common], help="every token (never the secret)")
    p.add_argument("--json", action="store_true", help="a JSON array")
    p.set_defaults(run=run_list)

    p = actions.add_parser("revoke", parents=[common], help="revoke a token by name")
    p.add_argument("name")
    p.set_defaults(run=run_revoke)


@contextmanager
def _tokens(args: argparse.Namespace) -> Iterator[Tokens]:
    """The token table of the store's database; ``memory://`` keeps nothing, so no."""
    from tracker.readmodels import readmodel_engine

    url = database_url(getattr(args, "database_url", None))
    if urlsplit(url).scheme == "memory":
        raise InvalidInputError(
            "memory:// forgets everything when the command ends: tokens need"
            " sqlite:///PATH or postgresql://...",
            "database_url",
        )
    engine = readmodel_engine(url)
    try:
        tokens = Tokens(engine)
        tokens.create_tables()
        yield tokens
    finally:
        engine.dispose()


def run_create(args: argparse.Namespace) -> int:
    with _tokens(args) as tokens:
        secret = tokens.create(args.name, args.role, args.organisation)
    print(secret)
    print(
        f"created {args.role} token '{args.name}': keep it secret; it is shown only this once",
        file=sys.stderr,
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _tokens(args) as tokens:
        found = tokens.list()
    if args.json:
        print(json.dumps([t.as_json() for t in found], indent=2, ensure_ascii=False))
    else:
        print(token_table(found))
    return 0


def token_table(found: list[TokenInfo]) -> str:
    if not found:
        return "no tokens"
    headers = ("NAME", "ROLE", "ORGANISATION", "CREATED", "LAST USED", "REVOKED")
    rows = [headers] + [
        (
            t.name,
            t.role,
            t.organisation or "-",
            t.created_at,
            t.last_used_at or "never",
            t.revoked_at or "-",
        )
        for t in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def run_revoke(args: argparse.Namespace) -> int:
    with _tokens(args) as tokens:
        revoked = tokens.revoke(args.name)
    print(f"revoked token '{args.name}'" if revoked else f"token '{args.name}' was already revoked")
    return 0
