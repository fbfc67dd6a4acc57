"""schemathesis reads the OpenAPI document and throws generated requests at every
operation, reads and writes, with an admin's token: no answer may be a 5xx, and every
answer must be one the document promises (status, media type, headers, body schema).

It runs schemathesis's own command line against the site served on a real port, the
way anyone could run it against a deployment.

One of its checks is left out: ``positive_data_acceptance`` expects a 2xx for any
request the schema allows, and a schema cannot say everything the tracker refuses
with a 422 naming the field: a day that does not exist (30 February), text with
unprintable characters, a source key the plan does not have.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.livesite import serving
from tracker.access import Tokens
from tracker.readmodels import readmodel_engine
from web.app import create_app
from web.settings import Settings

MIN_CASES = 1000
EXAMPLES_PER_OPERATION = 30
SEED = "20201113"


def schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -e '.[test]'")
    return found


def admin_token(url: str) -> str:
    engine = readmodel_engine(url)
    try:
        tokens = Tokens(engine)
        tokens.create_tables()
        return tokens.create("fuzzer", "admin", "schemathesis")
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_thousand_generated_requests_get_no_5xx_and_only_documented_answers(
    durable_database_url: str, tmp_path: Path
):
    token = admin_token(durable_database_url)
    app = create_app(Settings(database_url=durable_database_url, tick=False))
    with serving(app) as base:
        command = [
            schemathesis(),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            SEED,
            "--workers",
            "1",
            "--header",
            f"Authorization: Bearer {token}",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    summary = done.stdout[done.stdout.rfind("SUMMARY") :]
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert cases, summary
    generated, passed = map(int, cases.groups())
    assert generated >= MIN_CASES and passed == generated, summary
    print(f"schemathesis: {generated} cases generated, {passed} passed")
