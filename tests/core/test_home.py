def test_the_home_page_shows_the_community_and_its_compounds_in_simplified_chinese(client, world):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "江汉北路社区" in page and "江汉北路42号小区" in page
    assert "居民小区" in page and "9702" in page


def test_the_language_switcher_changes_the_interface(client, world):
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "居民小區" in page and '<html lang="zh-hant">' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Compounds" in page and "Sign in" in page


def test_staff_see_staff_navigation_and_residents_do_not(client, world):
    client.force_login(world["community_staff"])
    staff_page = client.get("/").content.decode()
    assert 'data-nav="residents"' in staff_page and 'data-nav="partnerships"' in staff_page
    client.force_login(world["resident"])
    resident_page = client.get("/").content.decode()
    assert 'data-nav="residents"' not in resident_page
    assert 'data-nav="profile"' in resident_page


def test_a_unit_member_sees_their_unit_in_the_navigation(client, world):
    client.force_login(world["unit_contact"])
    assert f'data-nav="org-{world.unit.pk}"' in client.get("/").content.decode()


def test_an_empty_site_says_how_to_load_the_demo(client, db):
    assert "wulian demo" in client.get("/").content.decode()


def test_healthz_answers_200_when_the_database_is_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_not(client, db, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("database is down")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_unknown_pages_get_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_staff_navigation_leads_to_the_review_queue_and_the_whistles(client, world):
    client.force_login(world["subdistrict_staff"])
    page = client.get("/").content.decode()
    assert 'data-nav="review"' in page and 'data-nav="whistles"' in page
    assert 'data-nav="calls"' not in page
    client.force_login(world["unit_contact"])
    page = client.get("/").content.decode()
    assert 'data-nav="calls"' in page and 'data-nav="review"' not in page


def test_readyz_waits_for_a_worker_and_then_answers_200(client, db):
    import datetime

    import time_machine
    from django.core.management import call_command

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "ok" and response.json()["worker"] != "ok"
    call_command("worker", "--batch", "--once")  # one real round of the periodic jobs
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "worker": "ok",
    }
    with time_machine.travel(datetime.timedelta(minutes=10)):
        stale = client.get("/readyz")
    assert stale.status_code == 503 and "last task finished at" in stale.json()["worker"]
