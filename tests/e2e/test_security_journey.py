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
    # Swagger UI draws the page from a large script: slow on a loaded machine.
    expect(desk.locator(".swagger-ui .info .title")).to_contain_text("Wulian API", timeout=15_000)
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


def test_a_new_resident_gets_a_code_once_the_browser_has_done_its_proof(
    live_server, world, phone, sms_outbox, settings
):
    import re

    from wulian.accounts.models import User

    settings.CHALLENGE_BITS = 16
    phone.goto(f"{live_server.url}/accounts/login/code/")
    phone.locator("input[name='send-mobile']").fill("13700000000")
    phone.locator("form:has(input[name='send-mobile']) button[type=submit]").click()
    expect(phone.locator("input[name='real_name']")).to_be_visible(timeout=20000)
    found = re.search(r"\d{6}", sms_outbox[-1].text)
    assert found is not None
    phone.locator("input[name='real_name']").fill("新居民")
    phone.locator("select[name='compound']").select_option(str(world.compound.pk))
    phone.locator("input[name='code']").fill(found.group(0))
    phone.locator("input[name='agree_privacy']").check()
    phone.locator("form:has(input[name='code']) button[type=submit]").click()
    phone.wait_for_url(f"{live_server.url}/")
    assert User.objects.filter(mobile="13700000000", real_name="新居民").exists()
