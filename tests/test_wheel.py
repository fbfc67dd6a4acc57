"""The wheel carries everything the tracker needs: installed from it, outside any
checkout, ``tracker serve`` serves the full site with the bundled record."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LIVE_RECORD, ROOT
from tests.livesite import free_port

PLAN = "london-policing-action-plan-2020"


def test_the_package_list_names_every_package_in_the_tree():
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(module.parent.relative_to(ROOT).parts)
        for top in ("tracker", "web")
        for module in (ROOT / top).rglob("*.py")
    }
    assert set(listed["packages"]) == found | {"tracker_events"}
    assert listed["package-dir"]["tracker_events"] == "events"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding only the wheel built from this tree; its
    dependencies come from the running environment (no network needed)."""
    where = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", where]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = where.glob("*.whl")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    (purelib,) = venv.glob("lib/python*/site-packages")
    # Added paths are not scanned for .pth files, so this checkout's editable install
    # stays out: tracker and web can only come from the wheel.
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = [venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "-q", wheel]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    return venv


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    elsewhere = tmp_path_factory.mktemp("elsewhere")  # no checkout around it
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    url = f"sqlite:///{elsewhere / 'tracker.sqlite'}"
    command = [installed / "bin" / "tracker", "--database-url", url, "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def _wait_until_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"tracker serve stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("tracker serve did not become ready within 60 s")


def test_the_installed_tracker_imports_from_the_wheel_not_this_checkout(installed: Path):
    where = subprocess.run(
        [installed / "bin" / "python", "-c", "import tracker, web; print(web.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed,
    ).stdout
    assert str(installed) in where and str(ROOT) not in where


@pytest.mark.slow
def test_an_installed_wheel_serves_the_full_site_with_the_bundled_record(served: str):
    home = httpx.get(served + "/", timeout=10)
    plan = httpx.get(f"{served}/plans/{PLAN}", timeout=10)
    rows = httpx.get(f"{served}/api/v1/plans/{PLAN}/commitments", timeout=10).json()
    (htmx,) = (ROOT / "web" / "static").glob("htmx-*.min.js")
    script = httpx.get(f"{served}/static/{htmx.name}", timeout=10)

    assert home.status_code == plan.status_code == 200
    assert "Transparency, Accountability and Trust in Policing" in plan.text
    assert len(rows) == len(list((LIVE_RECORD / PLAN).glob("*.yaml"))) - 1
    assert script.status_code == 200 and "htmx" in script.text
