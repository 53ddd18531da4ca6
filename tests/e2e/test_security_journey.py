"""The strict script policy in a real browser: the API docs (vendored Swagger UI) work and
nothing is blocked."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_api_docs_render_from_our_own_files_under_the_policy(live_server, db, desk):
    outside: list[str] = []
    desk.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    desk.goto(f"{live_server.url}/api/docs")
    expect(desk.locator(".swagger-ui .info .title")).to_contain_text("Wulian API")
    expect(desk.locator(".opblock-tag-section").first).to_be_visible()
    assert outside == []


def test_the_policy_blocks_an_inline_script_that_slipped_in(live_server, db, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
        )
    assert page.evaluate("() => window.ran === undefined")
    context.close()
