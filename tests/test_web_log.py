"""The log's head on the site: every page shows how many events the log holds and the
hash of them all, and anyone can download the log and check it against that head."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tests.test_web_pages import BWV, PAGES, record
from tracker.store import chain
from web import urls
from web.app import create_app
from web.settings import Settings


def head_of(site) -> dict:
    answer = site.get(urls.api_log())
    assert answer.status_code == 200
    return answer.json()


def test_every_page_shows_the_log_head_the_api_gives(memory_site):
    head = head_of(memory_site)
    assert head["events"] > 0 and head["head"].startswith("sha256:")
    short = head["head"][: len("sha256:") + 12]
    for url in PAGES:
        footer = memory_site.get(url).text.split('class="site-footer"')[1]
        assert f"{head['events']:,} events" in footer
        assert short in footer and urls.log() in footer


def test_the_log_page_gives_the_whole_head_and_how_to_check_a_copy(memory_site):
    page = memory_site.get(urls.log())
    assert page.status_code == 200
    assert head_of(memory_site)["head"] in page.text
    assert "tracker verify --file log.jsonl" in page.text
    assert "http://testserver" + urls.api_log_export() in page.text


def test_a_new_event_moves_the_head(memory_site):
    before = head_of(memory_site)
    record(memory_site, BWV, type="progress_reported", date="2026-11", note="Seen.")
    after = head_of(memory_site)
    assert after["events"] == before["events"] + 1
    assert after["head"] != before["head"]
    assert after["head"] in memory_site.get(urls.log()).text


def test_the_downloaded_log_ends_at_the_head_and_verifies(memory_site):
    answer = memory_site.get(urls.api_log_export())
    assert answer.headers["content-type"].startswith("application/jsonl")
    lines = answer.text.splitlines()
    head = head_of(memory_site)
    assert len(lines) == head["events"]
    assert "sha256:" + json.loads(lines[-1])["hash"] == head["head"]
    assert chain.verify_export(lines).ok


def test_a_journalist_checks_a_download_with_the_documented_command(tmp_path: Path):
    """Over a SQLite store, someone alters an event behind the application's back: the
    copy downloaded before still verifies, the one downloaded after does not."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    # No response cache: the change is made behind the site's back, so the head the
    # cache goes by does not move.
    settings = Settings(database_url=url, project=False, tick=False, cache_entries=0)
    with TestClient(create_app(settings)) as site:
        good = tmp_path / "good.jsonl"
        good.write_bytes(site.get(urls.api_log_export()).content)
        with sqlite3.connect(tmp_path / "store.sqlite") as db:
            altered = db.execute(
                "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT),"
                " 'Mayor', 'Mayer') AS BLOB) WHERE instr(CAST(state AS TEXT), 'Mayor')"
            ).rowcount
        assert altered > 0
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(site.get(urls.api_log_export()).content)

    def verify(path: Path) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "tracker.cli", "verify", "--file", str(path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert verify(good).returncode == 0 and verify(good).stdout.startswith("OK:")
    refused = verify(bad)
    assert refused.returncode == 1 and "FAILED at event" in refused.stdout


def test_a_reader_holding_the_log_up_to_its_head_gets_a_304(memory_site):
    first = memory_site.get(urls.api_log_export())
    etag = first.headers["etag"]
    assert etag == '"' + head_of(memory_site)["head"].removeprefix("sha256:") + '"'
    again = memory_site.get(urls.api_log_export(), headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    record(memory_site, BWV, type="progress_reported", date="2026-11", note="More.")
    grown = memory_site.get(urls.api_log_export(), headers={"If-None-Match": etag})
    assert grown.status_code == 200 and grown.headers["etag"] != etag
    assert len(grown.text.splitlines()) == len(first.text.splitlines()) + 1
