"""Headers and settings: a strict script policy, HTTPS in production, a real secret, and no
script from anywhere but our own static files (the API docs included)."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "wulian").glob("**/templates/**/*.html"))
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _InlineScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") not in DATA_SCRIPT_TYPES:
            self.problems.append(f"line {self.getpos()[0]}: <script> without src")
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name):
                self.problems.append(f"line {self.getpos()[0]}: handler attribute {name}=")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"line {self.getpos()[0]}: {name}=javascript:")


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "wulian")))
def test_no_template_has_an_inline_script_or_handler(template):
    """The policy allows scripts from our static files only; put code in a .js file."""
    finder = _InlineScriptFinder()
    finder.feed(template.read_text())
    assert finder.problems == []


def test_the_finder_catches_what_it_should():
    finder = _InlineScriptFinder()
    finder.feed('<script>alert(1)</script><a onclick="x()" href="javascript:x()">a</a>')
    assert len(finder.problems) == 3


def test_every_page_carries_a_policy_allowing_only_our_own_scripts(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"  # no <style> element can be slipped in
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy


def test_the_api_docs_load_vendored_swagger_and_no_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # (a CSRF token or nonce may spell "cdn" by chance: look for addresses, not letters)
    assert not re.search(r"(//|\.)cdn|cdn\.", html.lower()) and "https://" not in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in s for s in sources)
    for source in sources:
        assert source.startswith("/static/"), source
        assert client.get(source).status_code == 200, source
    vendored = ROOT / "wulian/core/static/vendor/swagger-ui-5.35.0"
    assert (vendored / "LICENSE").exists()


def _production(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Set by the browser journeys for their live server; a deployment never has it.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-m", "wulian.cli", *args],
        env={**clean, "WULIAN_ENV": "production", "ALLOWED_HOSTS": "example.org", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    "key", ["x", "secret", "short-but-not-fifty", "a" * 60, "django-insecure-" + "k" * 50]
)
def test_production_refuses_a_short_or_known_weak_secret(key, tmp_path):
    result = _production("check", SECRET_KEY=key, WULIAN_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "SECRET_KEY is too weak" in result.stderr


def test_the_deploy_check_finds_no_missing_hsts_or_https_redirect(tmp_path):
    result = _production(
        "check", "--deploy", SECRET_KEY=secrets.token_urlsafe(50), WULIAN_DATA_DIR=str(tmp_path)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "security.W004" not in output and "security.W008" not in output
    assert "security.W009" not in output


def test_a_proxy_that_terminates_tls_may_switch_the_redirect_off(tmp_path):
    result = _production(
        "check",
        "--deploy",
        SECRET_KEY=secrets.token_urlsafe(50),
        WULIAN_DATA_DIR=str(tmp_path),
        SECURE_SSL_REDIRECT="false",
    )
    assert "security.W008" in result.stdout + result.stderr


def test_in_production_http_is_redirected_and_https_carries_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
