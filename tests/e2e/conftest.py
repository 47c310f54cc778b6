"""Real-browser journeys: headless Chromium against pytest-django's live_server.

Every test here runs twice, on a desktop and on a phone viewport, because mentors log
check-ins from their phones. Pages are checked with axe-core and, on the phone, for sideways
scrolling.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM
# calls when it sees one. The test code is still plain sequential code, so that check is moot.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Debian's Chromium: Playwright's own browser download needs internet, which CI lacks.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    # No calls home: tests stay offline, deterministic and fast.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}
E2E_DIR = Path(__file__).resolve().parent
axe = Axe()


def pytest_collection_modifyitems(items):
    # This hook sees every collected test, not only ours: mark just the ones in this folder,
    # so `pytest -m "not e2e"` skips the browser.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    if not CHROMIUM.exists():
        # A failure, not a skip: a suite that silently drops its browser tests looks green.
        pytest.fail(
            f"{CHROMIUM} not found. Install it: apt-get update && apt-get install -y chromium",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(params=list(DEVICES))
def device(request):
    """The viewport name, desktop or phone: every test using `page` runs once for each."""
    return request.param


@pytest.fixture
def page(browser, device):
    # A fresh context per test: no cookies or storage leak from one journey into the next.
    context = browser.new_context(**DEVICES[device])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def login(page, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def assert_accessible(page):
    """Fail on axe-core violations of impact serious or critical (minor/moderate are noise
    at this stage)."""
    violations = [
        v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    if violations:
        # axe's failureSummary holds the specifics (e.g. the measured contrast ratio).
        lines = [
            f"- {v['id']} ({v['impact']}): {v['help']}"
            + "".join(
                f"\n    at {' '.join(node['target'])}: "
                + node.get("failureSummary", "").replace("\n", " ")
                for node in v["nodes"][:5]
            )
            for v in violations
        ]
        pytest.fail(f"accessibility violations on {page.url}:\n" + "\n".join(lines))


def assert_fits_phone(page):
    """The page must not scroll sideways; names the elements that stick out if it does."""
    # Compared with the configured viewport, not window.innerWidth: a mobile browser widens
    # its layout viewport to fit overflowing content, so innerWidth grows along with it.
    width = page.viewport_size["width"]
    scroll_width, wide = page.evaluate(
        """(limit) => {
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > limit)
                .slice(0, 5)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + (el.className && typeof el.className === "string"
                        ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
            return [document.documentElement.scrollWidth, wide];
        }""",
        width + 1,
    )
    assert scroll_width <= width + 1, (
        f"{page.url} scrolls sideways: {scroll_width}px of content in a {width}px viewport; "
        f"too wide: {wide}"
    )
