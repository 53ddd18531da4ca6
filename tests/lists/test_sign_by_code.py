"""Signing without drawing: the typed name and a code texted to the signer's mobile; and the
signatures shown on the project page to those who may see them."""

from __future__ import annotations

import re

import pytest

from tests.lists.conftest import signature_png
from wulian.accounts.services import LoginError
from wulian.core.errors import Conflict, NotAllowed
from wulian.lists import services
from wulian.lists.models import Signature


def _code(outbox) -> str:
    found = re.search(r"\d{6}", outbox[-1].text)
    assert found
    return found.group()


@pytest.fixture
def project(world, need):
    return services.claim_need(world["unit_admin"], need, organization=world.unit).project


def test_a_resident_who_cannot_draw_signs_with_a_texted_code_from_the_page(
    client, world, project, sms_outbox
):
    client.force_login(world["resident"])
    page = client.get(f"/lists/projects/{project.pk}/").content.decode()
    assert "139****0001" in page  # the button says where the code goes
    url = f"/lists/projects/{project.pk}/"
    response = client.post(f"{url}sign-code/", {"side": "need"})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert sms_outbox[-1].mobile == "13900000001"
    assert "签署" in sms_outbox[-1].text
    code = _code(sms_outbox)

    wrong = client.post(f"{url}sign/", {"side": "need", "typed_name": "居民甲", "code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not Signature.objects.exists()

    done = client.post(f"{url}sign/", {"side": "need", "typed_name": "居民甲", "code": code})
    assert done.status_code == 302, done.content.decode()[:1500]
    signature = Signature.objects.get()
    assert signature.method == Signature.Method.SMS and not signature.image
    page = client.get(f"/lists/projects/{project.pk}/").content.decode()
    assert "已通过短信验证码确认" in page
    # The code is used up: it cannot sign again, nor anything else.
    with pytest.raises(LoginError):
        from wulian.accounts.services import confirm_with_code

        confirm_with_code(world["resident"], code, None)


def test_only_a_party_is_texted_a_code_and_not_after_signing(world, project, sms_outbox):
    with pytest.raises(NotAllowed):
        services.send_signing_code(world["outsider"], project.agreement, "need")
    with pytest.raises(NotAllowed):
        services.send_signing_code(world["resident"], project.agreement, "claimant")
    assert sms_outbox == []
    services.sign_agreement(
        world["resident"],
        project.agreement,
        side="need",
        typed_name="居民甲",
        drawn_png=signature_png(),
    )
    with pytest.raises(Conflict) as signed:
        services.send_signing_code(world["resident"], project.agreement, "need")
    assert signed.value.code == "agreement.already_signed"
    assert sms_outbox == []


def test_a_form_with_neither_drawing_nor_code_is_refused(client, world, project):
    client.force_login(world["resident"])
    response = client.post(
        f"/lists/projects/{project.pk}/sign/", {"side": "need", "typed_name": "居民甲"}
    )
    assert response.status_code == 400 and "请先在框内手写签名" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_drawn_signatures_show_on_the_project_page_to_the_parties_and_staff_only(
    client, world, project
):
    from tests.lists.conftest import sign_both

    sign_both(world, project)
    image = f"/lists/projects/{project.pk}/signatures/need.png"
    for role in ("resident", "unit_admin", "community_staff"):
        client.force_login(world[role])
        assert image in client.get(f"/lists/projects/{project.pk}/").content.decode()
        response = client.get(image)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")
    client.force_login(world["outsider"])
    assert client.get(image).status_code == 404
    client.logout()
    assert client.get(image).status_code in {302, 404}
