"""Browser fixtures: one headless Debian Chromium per session, a fresh phone-sized page per test.

Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser here. Without it the
browser tests skip, unless DANGQUN_REQUIRE_BROWSER=1 (CI) turns the missing browser into a failure.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM
# calls from a thread with a running loop; the ORM work here (seeding, lookups) is synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    # Containers and CI runners have neither a user namespace sandbox nor a GPU.
    "--no-sandbox",
    "--disable-gpu",
    # No traffic but to the live server: no updates, sync, field trials or QUIC probes.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
TIMEOUT_MS = 10_000


def _browser_unavailable(reason, details=""):
    if os.environ.get("DANGQUN_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"{reason} (DANGQUN_REQUIRE_BROWSER=1: the browser tests must run)\n{details}",
            pytrace=False,
        )
    pytest.skip(
        f"{reason}; install Debian's chromium package, "
        "or set DANGQUN_REQUIRE_BROWSER=1 to fail instead of skipping"
    )


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _browser_unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as exc:
            # The first line is Playwright's summary; the rest is Chromium's own log.
            message = str(exc).strip()
            _browser_unavailable(
                f"Chromium at {CHROMIUM} failed to launch: {message.splitlines()[0]}", message
            )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir(pytestconfig):
    """test-artifacts/ at the project root (gitignored): screenshots and axe reports."""
    path = pytestconfig.rootpath / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Lets the page fixture see, at teardown, whether the test's call phase failed.
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def new_page(browser, request, artifacts_dir):
    """Factory: a page in a fresh context, phone-sized unless `context_options` say otherwise.

    Each page records console errors in `page.console_errors`. When the test fails, every page it
    opened is saved as test-artifacts/failures/<test>-<n>.png before its context closes.
    """
    contexts = []

    def make(**context_options):
        context = browser.new_context(**{**PHONE, **context_options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield make

    failed = getattr(request.node, "browser_call_failed", False)
    name = re.sub(r"[^\w.-]+", "-", request.node.name)
    pages = [page for context in contexts for page in context.pages]
    for n, page in enumerate(pages if failed else []):
        failures = artifacts_dir / "failures"
        failures.mkdir(exist_ok=True)
        # A crashed page has nothing to show; the test's own failure says why.
        with contextlib.suppress(PlaywrightError):
            page.screenshot(path=failures / f"{name}-{n}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(new_page):
    """A 390×844 touch phone page, zh-CN, JavaScript on."""
    return new_page()


@pytest.fixture
def demo_district(transactional_db):
    """The demo district (87 centers), loaded by the same command a developer runs.

    live_server serves from another thread, so the data is committed (transactional_db) and
    flushed after each test; each test seeds again.
    """
    call_command("seed_demo", verbosity=0)
