"""The import pages' mapping step, the remembered answers, and the compound's names page."""

import io

import openpyxl
import pytest
from django.urls import reverse

from wulian.audit.models import AuditEntry
from wulian.lists.models import Category, ImportMapping, Need
from wulian.places.models import Compound


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    Category.objects.get_or_create(name="便民服务", parent=None)


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def staff(client, world):
    client.force_login(world["community_staff"])
    client.cookies["wulian_language"] = "en"
    return client


def upload(client, world, rows):
    file = io.BytesIO(xlsx(rows))
    file.name = "needs.xlsx"
    response = client.post(
        reverse("lists:import", args=[world.community.pk]), {"kind": "needs", "file": file}
    )
    assert response.status_code == 302
    return response["Location"]


ROWS = [
    ["江汉北路社区需求清单"],
    ["需求名称", "所在小区"],
    ["老人理发", "42号小区"],
    ["修灯", "42号小区"],
]


def test_it_asks_once_per_value_and_imports_with_the_answer(client, world):
    staff(client, world)
    preview_url = upload(client, world, ROWS)
    page = client.get(preview_url)
    html = page.content.decode()
    assert "What do these values mean?" in html and html.count('name="key-') == 1
    assert "2 rows" in html and "title or note above the header" in html
    ((index, question, chosen),) = page.context["questions"]
    assert chosen == f"map:{world.compound.pk}"  # suggested: the compound whose name holds it
    token = page.context["stored"].token
    client.post(
        reverse("lists:import_map", args=[world.community.pk, token]),
        {f"key-{index}": question.key, f"answer-{index}": f"map:{world.compound.pk}"},
    )
    again = client.get(preview_url)
    assert not again.context["questions"] and 'value="all"' in again.content.decode()
    assert not ImportMapping.objects.exists()  # remembered only once imported
    client.post(reverse("lists:import_confirm", args=[world.community.pk, token]), {"mode": "all"})
    assert Need.objects.filter(compound=world.compound).count() == 2
    assert ImportMapping.objects.get().compound == world.compound
    next_preview = client.get(upload(client, world, ROWS))
    assert not next_preview.context["questions"]
    assert "remembered" in next_preview.content.decode()


def test_an_answer_that_is_not_one_is_ignored(client, world):
    staff(client, world)
    preview_url = upload(client, world, ROWS)
    token = client.get(preview_url).context["stored"].token
    client.post(
        reverse("lists:import_map", args=[world.community.pk, token]),
        {"key-0": "compound|42号小区", "answer-0": "drop table"},
    )
    assert client.get(preview_url).context["questions"]


def test_staff_see_and_forget_remembered_answers(client, world):
    mapping = ImportMapping.objects.create(
        community=world.community, field="compound", value="42号小区", key="42号小区",
        choice="map", compound=world.compound,
    )  # fmt: skip
    staff(client, world)
    page = client.get(reverse("lists:import", args=[world.community.pk])).content.decode()
    assert "42号小区" in page and "江汉北路42号小区" in page
    client.post(reverse("lists:import_forget", args=[world.community.pk, mapping.pk]))
    assert not ImportMapping.objects.exists()
    assert AuditEntry.objects.filter(action="lists.import_answer_forgotten").exists()


@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_only_staff_can_forget_an_answer(client, world, role):
    mapping = ImportMapping.objects.create(
        community=world.community, field="compound", value="x", key="x", choice="empty"
    )
    client.force_login(world[role])
    response = client.post(reverse("lists:import_forget", args=[world.community.pk, mapping.pk]))
    assert response.status_code == 403 and ImportMapping.objects.exists()


def test_staff_give_a_compound_its_short_name_and_aliases(client, world):
    staff(client, world)
    url = reverse("places:compound_names", args=[world.compound.pk])
    response = client.post(url, {"short_name": "42号小区", "aliases": "42号院，老42"})
    assert response.status_code == 302
    compound = Compound.objects.get(pk=world.compound.pk)
    assert (compound.short_name, compound.aliases) == ("42号小区", "42号院、老42")
    assert AuditEntry.objects.filter(action="places.compound_names").exists()
    page = client.get(reverse("site:region", args=[world.community.pk])).content.decode()
    assert "42号院" in page


def test_a_name_of_another_compound_is_refused(client, world):
    Compound.objects.create(community=world.community, name="江汉北路44号小区", short_name="北院")
    staff(client, world)
    url = reverse("places:compound_names", args=[world.compound.pk])
    response = client.post(url, {"short_name": "", "aliases": "北院"})
    assert response.status_code == 200 and "already names" in response.content.decode()


@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_only_the_communitys_staff_edit_compound_names(client, world, role):
    client.force_login(world[role])
    url = reverse("places:compound_names", args=[world.compound.pk])
    assert client.post(url, {"short_name": "x"}).status_code in {403, 404}
    assert Compound.objects.get(pk=world.compound.pk).short_name == ""
