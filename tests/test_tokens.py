"""API tokens: ``tracker token create|list|revoke``, and what the write API makes of them.

The command line runs in-process on a store of the test's own (SQLite and PostgreSQL:
``memory://`` keeps nothing between commands, and says so). A token created on the
command line is the one the site, on the same database, accepts; revoked, it gets 401.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import _site
from tests.test_cli import run
from tracker.access import TOKEN_PREFIX, Identity, Tokens, token_hash, tokens
from tracker.domain.errors import ConflictError, InvalidInputError, NotFoundError
from tracker.readmodels import readmodel_engine

PLAN = "london-policing-action-plan-2020"
EVENTS = f"/api/v1/plans/{PLAN}/commitments/body-worn-video-research/events"
EVENT = {
    "type": "progress_reported",
    "date": "2024-05",
    "source": {"publisher": "Test Gazette", "title": "A report", "published_on": "2024-05-02"},
    "note": "Work resumed.",
}


@pytest.fixture
def store(durable_database_url: str):
    engine = readmodel_engine(durable_database_url)
    tokens_ = Tokens(engine)
    tokens_.create_tables()
    yield tokens_
    engine.dispose()


def test_a_token_is_random_shown_once_and_stored_only_as_its_hash(store: Tokens) -> None:
    first = store.create("newsroom-bot", "editor", "Example Newsroom")
    second = store.create("other-bot", "editor")

    assert first.startswith(TOKEN_PREFIX) and len(first) > 40
    assert first != second
    with store.engine.connect() as conn:
        stored = conn.execute(select(tokens)).mappings().all()
    assert {row["token_hash"] for row in stored} == {token_hash(first), token_hash(second)}
    assert not any(first in str(value) for row in stored for value in row.values())
    assert store.authenticate(first) == Identity("newsroom-bot", "editor", "Example Newsroom")


def test_recorded_by_is_a_role_and_an_organisation_never_a_name() -> None:
    assert Identity("alice-laptop", "editor", "Example Newsroom").recorded_by == (
        "editor, Example Newsroom"
    )
    assert Identity("ops", "admin").recorded_by == "admin"


def test_unknown_revoked_and_foreign_tokens_are_refused(store: Tokens) -> None:
    token = store.create("bot", "admin")

    assert store.authenticate(token + "x") is None
    assert store.authenticate("Bearer " + token) is None
    assert store.authenticate("") is None
    assert store.revoke("bot") is True
    assert store.authenticate(token) is None
    assert store.revoke("bot") is False  # already revoked: nothing to do
    with pytest.raises(NotFoundError):
        store.revoke("nobody")


def test_names_roles_and_organisations_are_checked(store: Tokens) -> None:
    store.create("bot", "editor")
    with pytest.raises(ConflictError, match="already exists"):
        store.create("bot", "admin")
    with pytest.raises(InvalidInputError, match="role"):
        store.create("other", "owner")
    with pytest.raises(InvalidInputError):
        store.create("Not A Slug", "editor")
    with pytest.raises(InvalidInputError, match="organisation"):
        store.create("long", "editor", "x" * 91)


def test_list_shows_every_token_and_when_it_was_last_used_never_the_secret(
    store: Tokens,
) -> None:
    token = store.create("bot", "editor", "Example Newsroom")
    store.create("ops", "admin")
    store.revoke("ops")
    store.authenticate(token)

    listed = {t.name: t for t in store.list()}

    assert listed["bot"].last_used_at is not None and listed["bot"].revoked_at is None
    assert listed["ops"].last_used_at is None and listed["ops"].revoked_at is not None
    assert listed["bot"].as_json()["revoked"] is False
    assert "token_hash" not in listed["bot"].as_json()


# The command line


def test_token_create_prints_the_token_alone_on_standard_output(
    durable_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = durable_database_url
    code, out, err = run(
        capsys,
        *("token", "create", "--name", "newsroom-bot", "--role", "editor"),
        *("--organisation", "Example Newsroom", "--database-url", db),
    )

    assert code == 0
    assert out.strip().startswith(TOKEN_PREFIX) and len(out.splitlines()) == 1
    assert "shown only this once" in err

    code, listed, err = run(capsys, "token", "list", "--json", "--database-url", db)
    assert (code, err) == (0, "")
    [row] = json.loads(listed)
    assert row["name"] == "newsroom-bot"
    assert (row["role"], row["organisation"], row["revoked"]) == (
        "editor",
        "Example Newsroom",
        False,
    )
    assert out.strip() not in listed and token_hash(out.strip()) not in listed

    code, table, _ = run(capsys, "token", "list", "--database-url", db)
    assert code == 0 and table.splitlines()[0].split()[:3] == ["NAME", "ROLE", "ORGANISATION"]
    assert "newsroom-bot" in table and out.strip() not in table


def test_token_revoke_and_its_errors(
    durable_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = durable_database_url
    run(capsys, "token", "create", "--name", "bot", "--role", "admin", "--database-url", db)

    assert run(capsys, "token", "revoke", "bot", "--database-url", db)[:2] == (
        0,
        "revoked token 'bot'\n",
    )
    code, _, err = run(capsys, "token", "revoke", "nobody", "--database-url", db)
    assert (code, err) == (1, "tracker token: no token named 'nobody'\n")
    code, _, err = run(
        capsys, "token", "create", "--name", "bot", "--role", "admin", "--database-url", db
    )
    assert code == 1 and "already exists" in err
    listed = json.loads(run(capsys, "token", "list", "--json", "--database-url", db)[1])
    assert [(t["name"], t["revoked"]) for t in listed] == [("bot", True)]


def test_a_memory_store_cannot_keep_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "token", "create", "--name", "bot", "--role", "admin", "--database-url", "memory://"
    )
    assert (code, out) == (1, "")
    assert "memory://" in err and len(err.splitlines()) == 1


def test_a_role_outside_editor_and_admin_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "token", "create", "--name", "bot", "--role", "owner")
    assert exit_.value.code == 2


# The site, on the same database


def test_a_token_from_the_command_line_writes_until_it_is_revoked(
    durable_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = durable_database_url
    with _site(db) as site:
        code, out, _ = run(
            capsys,
            *("token", "create", "--name", "bot", "--role", "editor", "--database-url", db),
        )
        assert code == 0
        auth = {"Authorization": f"Bearer {out.strip()}"}
        tracker = site.app.state.services.tracker

        assert site.post(EVENTS, json=EVENT, headers=auth).status_code == 201
        head = tracker.recorder.max_notification_id()

        assert run(capsys, "token", "revoke", "bot", "--database-url", db)[0] == 0
        refused = site.post(EVENTS, json=EVENT, headers=auth)

        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert 'error="invalid_token"' in refused.headers["www-authenticate"]
        assert refused.headers["content-type"] == "application/problem+json"
        assert tracker.recorder.max_notification_id() == head
        listed = json.loads(run(capsys, "token", "list", "--json", "--database-url", db)[1])
        assert listed[0]["last_used_at"] is not None and listed[0]["revoked"] is True
