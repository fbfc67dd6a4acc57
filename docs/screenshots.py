"""Regenerate the README's screenshots: serve the bundled plan on a loopback port and
photograph the top of each main page in Debian's Chromium (viewport only, to keep the
images small). Run: .venv/bin/python docs/screenshots.py"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PAGES = {
    "home": "/",
    "plan": "/plans/london-policing-action-plan-2020",
    "commitment": "/plans/london-policing-action-plan-2020/commitments/body-worn-video-research",
    "delays": "/delays",
}
PORT = 8799


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/site.sqlite"
        tracker = [sys.executable, "-m", "tracker.cli", "--database-url", url]
        server = subprocess.Popen([*tracker, "serve", "--port", str(PORT)])
        try:
            base = f"http://127.0.0.1:{PORT}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                for name, path in PAGES.items():
                    page.goto(base + path)
                    page.screenshot(path=HERE / "screenshots" / f"{name}.png")
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
