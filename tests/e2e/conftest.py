"""Browser journeys: Playwright driving Debian's Chromium against Django's live server.

They run where Chromium is installed (`apt-get install chromium`) and are skipped elsewhere,
unless E2E=required (as in CI), which turns a missing browser into a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import testcases

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Django's live server would send every file under MEDIA_URL from disk to anyone; let the site's
# own media view answer instead, checking who may see each photo, as it does in production.
testcases._MediaFilesHandler._should_handle = lambda self, path: False  # type: ignore[attr-defined]

CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PHONE = {"width": 375, "height": 740}
DESK = {"width": 1440, "height": 900}


def _chromium() -> str | None:
    for path in [os.environ.get("CHROMIUM_PATH", ""), *CHROMIUM_CANDIDATES]:
        if path and Path(path).exists():
            return path
    return shutil.which("chromium")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if _chromium() is not None:
        return
    message = (
        "no Chromium found: install it with `apt-get install chromium` (or set CHROMIUM_PATH) "
        "to run the browser journeys"
    )
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            if os.environ.get("E2E") == "required":
                item.add_marker(pytest.mark.xfail(reason=message, run=False, strict=True))
                raise pytest.UsageError(f"E2E=required but {message}")
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": _chromium(),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


def watch_policy(page: Any) -> list[str]:
    """Collect what the Content-Security-Policy blocked on the page (should stay empty)."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    blocked = watch_policy(page)
    yield page
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def desk(browser: Any) -> Any:
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    blocked = watch_policy(page)
    yield page
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked something"


def check_accessibility(page: Any) -> None:
    """Run axe-core on the page; fail on serious or critical violations.

    The site allows scripts from itself only, so axe is loaded from a same-origin address
    that the browser answers from the vendored file."""
    from urllib.parse import urlsplit

    page.wait_for_load_state()
    parts = urlsplit(page.url)
    address = f"{parts.scheme}://{parts.netloc}/__axe-core.js"
    page.route(
        address,
        lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
    )
    page.add_script_tag(url=address)
    page.unroute(address)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)


def assert_fits_width(page: Any) -> None:
    """Nothing forces the phone to scroll sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"
