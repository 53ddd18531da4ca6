"""What every page carries, and the small courtesies of the forms."""

from __future__ import annotations


def test_every_page_has_a_favicon_and_a_meta_description(client, world):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/wulian/favicon.svg"' in page
    assert '<meta name="description" content="五联：' in page
    assert client.get("/static/wulian/favicon.svg").status_code == 200


def test_claiming_asks_for_confirmation(client, world, make):
    need = make.need(raiser="community_staff")
    client.force_login(world["unit_admin"])
    page = client.get(f"/lists/needs/{need.pk}/claim/").content.decode()
    assert 'data-confirm="确定认领' in page


def test_recommendation_reasons_are_chips(client, world, make):
    from wulian.lists.models import Invitation

    need = make.need()
    Invitation.objects.create(need=need, organization=world.unit)
    client.force_login(world["unit_admin"])
    page = client.get("/lists/needs/opportunities/").content.decode()
    assert 'class="reasons muted"' not in page
    assert "claim-in-place" in page


def test_the_development_page_shows_the_text_messages_sent(client, db, settings, tmp_path):
    from wulian.accounts import sms

    settings.DEBUG = True
    settings.SMS_FILE_PATH = tmp_path
    settings.SMS_BACKEND = "wulian.accounts.sms.DevelopmentBackend"
    sms.DevelopmentBackend().send(sms.Message("13900000042", "【五联】您的登录验证码是 246810"))
    page = client.get("/dev/sms/").content.decode()
    assert "13900000042" in page and "246810" in page


def test_the_development_page_is_absent_elsewhere(client, db, settings):
    settings.DEBUG = False
    assert client.get("/dev/sms/").status_code == 404


def test_make_run_sends_the_worker_to_a_log_and_prints_the_accounts_last():
    from pathlib import Path

    makefile = (Path(__file__).parents[2] / "Makefile").read_text(encoding="utf-8")
    run = makefile[makefile.index("run: install") : makefile.index("lint:")]
    assert "worker >>var/worker.log 2>&1" in run
    assert "demo --if-empty --quiet" in run
    assert run.index("demo --accounts") > run.index("worker >>var/worker.log")
    assert "/dev/sms/" in run
