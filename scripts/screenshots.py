"""Take the README's screenshots: a fresh demo database, runserver, Chromium on a phone viewport.

Run with `make screenshots`; the PNGs land in docs/screenshots/.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = 8765
PAGES = [
    ("home-phone.png", "/", None),
    ("center-phone.png", "/centers/dataishi/", None),
    ("calendar-phone.png", "/activities/", None),
    ("issue-new-phone.png", "/deliberation/new/?center=chuangye", None),
    ("aid-station-phone.png", "/assistance/stations/jinyuwenyuan/", None),
    ("console-phone.png", "/manage/", "13800000003"),
    ("inbox-phone.png", "/manage/deliberation/", "13800000002"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3", "DEBUG": "True"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "seed_demo", "-v0"], env=env, check=True)
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{PORT}"
            for _ in range(50):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for name, path, phone in PAGES:
                    context = browser.new_context(
                        viewport={"width": 390, "height": 844},
                        device_scale_factor=1,
                        is_mobile=True,
                        locale="zh-CN",
                    )
                    page = context.new_page()
                    if phone:
                        page.goto(base + "/accounts/login/")
                        page.fill("input[name=username]", phone)
                        page.fill("input[name=password]", "dangqun2026")
                        page.click("form.form button[type=submit]")
                    page.goto(base + path)
                    page.screenshot(path=str(OUT / name), full_page=False)
                    context.close()
                    print(f"wrote docs/screenshots/{name}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
