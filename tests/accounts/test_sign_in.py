import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from tests.challenge import solved
from wulian.accounts import services
from wulian.core.errors import DomainError


def test_it_signs_in_with_mobile_and_password_and_goes_home(client, world):
    response = client.post(
        "/accounts/login/", {"mobile": "139 0000 0001", "password": "secret-pass-1"}
    )
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/accounts/profile/").status_code == 200


def test_it_follows_a_safe_next_but_not_an_outside_one(client, world):
    data = {"mobile": "13900000001", "password": "secret-pass-1"}
    assert client.post("/accounts/login/?next=/orgs/", {**data, "next": "/orgs/"}).url == "/orgs/"
    client.logout()
    assert client.post("/accounts/login/", {**data, "next": "https://evil.example/"}).url == "/"


def test_it_says_what_is_wrong_with_a_bad_password(client, world):
    response = client.post("/accounts/login/", {"mobile": "13900000001", "password": "nope"})
    assert response.status_code == 200
    assert "手机号或密码不正确" in response.content.decode()


def test_it_explains_a_malformed_mobile_number(client, world):
    response = client.post("/accounts/login/", {"mobile": "12345", "password": "x"})
    assert "请输入 11 位手机号" in response.content.decode()


def test_it_locks_a_number_after_five_failures_even_with_the_right_password(client, world):
    for _ in range(5):
        client.post("/accounts/login/", {"mobile": "13900000001", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"mobile": "13900000001", "password": "secret-pass-1"}
    )
    assert response.status_code == 200
    assert "失败次数过多" in response.content.decode()


def test_the_lock_lifts_after_the_window(world):
    for _ in range(5):
        with pytest.raises(DomainError):
            services.sign_in_with_password("13900000001", "wrong", "10.0.0.1")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        user = services.sign_in_with_password("13900000001", "secret-pass-1", "10.0.0.1")
    assert user == world["resident"]


def _code(outbox):
    found = re.search(r"\d{6}", outbox[-1].text)
    assert found is not None
    return found.group(0)


def test_it_signs_in_with_a_code_sent_by_text_message(client, world, sms_outbox):
    response = client.post("/accounts/login/code/", {"send-mobile": "13900000001"})
    assert response.status_code == 200
    assert sms_outbox[-1].mobile == "13900000001"
    assert "五联" in sms_outbox[-1].text
    response = client.post(
        "/accounts/login/code/", {"mobile": "13900000001", "code": _code(sms_outbox)}
    )
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_a_code_works_once_and_expires(world, sms_outbox):
    services.request_code("13900000001", None)
    code = _code(sms_outbox)
    assert services.sign_in_with_code("13900000001", code, None) == world["resident"]
    with pytest.raises(DomainError) as used:
        services.sign_in_with_code("13900000001", code, None)
    assert used.value.code == "login.code_expired"
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        services.request_code("13900000001", None)
        late = _code(sms_outbox)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=8)),
        pytest.raises(DomainError) as expired,
    ):
        services.sign_in_with_code("13900000001", late, None)
    assert expired.value.code == "login.code_expired"


def test_a_wrong_code_is_refused_and_counted(world, sms_outbox):
    services.request_code("13900000001", None)
    with pytest.raises(DomainError) as wrong:
        services.sign_in_with_code(
            "13900000001", "000000" if _code(sms_outbox) != "000000" else "111111", None
        )
    assert wrong.value.code == "login.code_wrong"


def test_it_refuses_a_second_code_within_a_minute(world, sms_outbox):
    services.request_code("13900000001", None)
    with pytest.raises(DomainError) as error:
        services.request_code("13900000001", None)
    assert error.value.code == "login.code_too_soon"
    assert len(sms_outbox) == 1


def test_an_unknown_number_registers_as_a_resident_with_the_code(client, world, sms_outbox):
    from wulian.accounts.models import User

    response = client.post(
        "/accounts/login/code/?next=/lists/needs/", {"send-mobile": "13700000000", **solved()}
    )
    page = response.content.decode()
    assert 'name="real_name"' in page and 'name="compound"' in page
    code = _code(sms_outbox)
    bad = client.post(
        "/accounts/login/code/",
        {"mobile": "13700000000", "code": code, "real_name": " ", "compound": world.compound.pk},
    )
    assert bad.status_code == 200 and not User.objects.filter(mobile="13700000000").exists()
    response = client.post(
        "/accounts/login/code/",
        {
            "mobile": "13700000000",
            "code": code,
            "real_name": "新居民",
            "compound": world.compound.pk,
            "agree_privacy": "on",
            "next": "/lists/needs/",
        },
    )
    assert response.status_code == 302 and response.url == "/lists/needs/"
    person = User.objects.get(mobile="13700000000")
    assert person.community == world.community and person.compound == world.compound
    assert not person.is_verified_resident and not person.has_usable_password()
    assert client.get("/accounts/profile/").status_code == 200


def test_registering_a_number_that_has_an_account_is_refused(world, sms_outbox):
    services.request_code("13900000001", None, allow_new=True)
    with pytest.raises(DomainError) as error:
        services.register_with_code(
            "13900000001",
            _code(sms_outbox),
            None,
            real_name="冒名",
            compound=world.compound,
            privacy_notice_version=services.PRIVACY_NOTICE_VERSION,
        )
    assert error.value.code == "register.exists"


def test_the_plain_code_request_still_refuses_unknown_numbers(world, sms_outbox):
    with pytest.raises(DomainError) as error:
        services.request_code("13700000000", None)
    assert error.value.code == "login.unknown_mobile"
    assert sms_outbox == []


def test_an_expired_code_counts_as_a_failure(world):
    from wulian.accounts.models import LoginFailure

    with pytest.raises(DomainError):
        services.sign_in_with_code("13900000001", "123456", None)
    assert LoginFailure.objects.filter(mobile="13900000001").count() == 1


def test_the_file_backend_writes_the_message_where_a_developer_can_read_it(
    settings, tmp_path, world
):
    settings.SMS_BACKEND = "wulian.accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    services.request_code("13900000001", None)
    assert re.search(r"\d{6}", (tmp_path / "13900000001.txt").read_text())


def test_signing_out_needs_a_post_and_ends_the_session(client, world):
    client.force_login(world["resident"])
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_it_changes_the_password_and_keeps_the_person_signed_in(client, world):
    client.force_login(world["resident"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "secret-pass-1",
            "new_password": "河边的柳树2026",
            "new_password_again": "河边的柳树2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    world["resident"].refresh_from_db()
    assert world["resident"].check_password("河边的柳树2026")


def test_it_refuses_a_wrong_current_password(client, world):
    client.force_login(world["resident"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "bad",
            "new_password": "河边的柳树2026",
            "new_password_again": "河边的柳树2026",
        },
    )
    assert "当前密码不正确" in response.content.decode()


def test_the_profile_saves_and_is_audited(client, world):
    from wulian.audit.models import AuditEntry

    client.force_login(world["resident"])
    response = client.post(
        "/accounts/profile/",
        {"real_name": "居民甲乙", "compound": world.compound.pk, "building": "3栋2单元"},
    )
    assert response.status_code == 302
    world["resident"].refresh_from_db()
    assert world["resident"].building == "3栋2单元"
    entry = AuditEntry.objects.get(action="accounts.profile_updated")
    assert entry.before is not None and entry.after is not None
    assert entry.before["real_name"] == "居民甲" and entry.after["real_name"] == "居民甲乙"


def test_staff_verify_a_resident_and_the_timeline_shows_it(client, world):
    client.force_login(world["community_staff"])
    resident = world["resident"]
    response = client.post(f"/accounts/people/{resident.pk}/verify/", {"verified": "1"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified_resident and resident.verified_by == world["community_staff"]
    page = client.get(f"/accounts/people/{resident.pk}/").content.decode()
    assert "认证了居民身份" in page


def test_a_resident_cannot_verify_themselves(client, world):
    client.force_login(world["resident"])
    response = client.post(f"/accounts/people/{world['resident'].pk}/verify/", {"verified": "1"})
    assert response.status_code == 403


def test_the_admin_site_is_for_superusers_only(client, world):
    from wulian.accounts.models import User

    staff = world["community_staff"]
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    admin = User.objects.create_superuser("13800000000", "admin-pass-1", real_name="管理员")
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 200


def _superuser():
    from wulian.accounts.models import User

    return User.objects.create_superuser("13800000000", "admin-pass-1", real_name="管理员")


def test_the_admin_sign_in_is_the_sites_own_and_keeps_its_lockout(client, world):
    _superuser()
    for _ in range(5):
        client.post("/accounts/login/", {"mobile": "13800000000", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "13800000000", "password": "admin-pass-1", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302
    locked = client.post("/accounts/login/", {"mobile": "13800000000", "password": "admin-pass-1"})
    assert "失败次数过多" in locked.content.decode()


def test_wrong_passwords_through_the_admin_never_sign_in_and_the_site_locks(client, world):
    _superuser()
    for _ in range(10):
        client.post("/admin/login/", {"username": "13800000000", "password": "wrong"})
    for _ in range(5):
        client.post("/accounts/login/", {"mobile": "13800000000", "password": "wrong"})
    client.post("/admin/login/", {"username": "13800000000", "password": "admin-pass-1"})
    assert client.get("/admin/").status_code == 302


def test_a_superuser_reaches_the_admin_through_the_sites_sign_in(client, world):
    _superuser()
    start = client.get("/admin/")
    assert start.status_code == 302
    login_page = client.get(start.url, follow=True)
    assert login_page.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"mobile": "13800000000", "password": "admin-pass-1", "next": "/admin/"},
    )
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
