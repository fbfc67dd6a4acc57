"""What tests of the write API share: an event body and an editor's credentials."""

from __future__ import annotations

from fastapi.testclient import TestClient

SOURCE = {"publisher": "Test Gazette", "title": "A report", "published_on": "2024-05-02"}


def event(note: str) -> dict:
    """A progress report citing a new source, told apart by its ``note``."""
    return {"type": "progress_reported", "date": "2024-05", "source": SOURCE, "note": note}


def editor(site: TestClient) -> dict[str, str]:
    """The headers of a newly made editor's token on ``site``."""
    token = site.app.state.services.tokens.create("newsroom", "editor", "Example Newsroom")
    return {"Authorization": f"Bearer {token}"}
