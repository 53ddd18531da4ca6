import base64
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tests.lists.conftest import signature_png
from wulian.lists import services
from wulian.lists.models import Need, Project


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1200), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def test_a_resident_raises_a_need_from_the_phone_form_with_a_photo(client, world, haircut):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["resident"])
    form = client.get("/lists/needs/new/").content.decode()
    assert f'value="{world.compound.pk}" selected>江汉北路42号小区' in form
    response = client.post(
        "/lists/needs/new/",
        {
            "title": "楼道灯坏了",
            "description": "3栋2单元楼道灯不亮",
            "compound": world.compound.pk,
            "urgency": 1,
            "slots": 1,
            "photos": [SimpleUploadedFile("灯.jpg", _jpeg(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    photo = need.photos.get()
    assert (photo.width, photo.height) == (1600, 800)
    page = client.get(response.url).content.decode()
    assert "楼道灯坏了" in page and "已提交" in page


def test_a_resident_is_asked_only_what_a_resident_knows_and_staff_set_the_rest(
    client, world, haircut
):
    client.force_login(world["resident"])
    form = client.get("/lists/needs/new/").content.decode()
    for asked in ('name="title"', 'name="description"', 'name="photos"', 'name="compound"'):
        assert asked in form
    assert 'name="urgency"' in form
    for staffs in ('name="category"', 'name="slots"', 'name="tags"', 'name="beneficiaries"'):
        assert staffs not in form
    response = client.post("/lists/needs/new/", {"title": "楼道灯坏了", "urgency": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    assert need.slots == 1 and need.category is None

    # Staff set the category and slots on review; the resident's later edit keeps them.
    client.force_login(world["community_staff"])
    staff_form = client.get(f"/lists/needs/{need.pk}/edit/").content.decode()
    assert 'name="category"' in staff_form and 'name="slots"' in staff_form
    response = client.post(
        f"/lists/needs/{need.pk}/edit/",
        {"title": "楼道灯坏了", "urgency": 0, "category": haircut.pk, "slots": 2, "tags": "照明"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(world["resident"])
    edit = client.get(f"/lists/needs/{need.pk}/edit/").content.decode()
    assert 'name="slots"' not in edit
    response = client.post(
        f"/lists/needs/{need.pk}/edit/", {"title": "3栋楼道灯坏了", "urgency": 1}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    need.refresh_from_db()
    assert need.title == "3栋楼道灯坏了"
    assert (need.category, need.slots) == (haircut, 2)
    assert [tag.name for tag in need.tags.all()] == ["照明"]

    # A unit's contact raises needs for the unit and sets what a unit knows.
    client.force_login(world["unit_contact"])
    unit_form = client.get("/lists/needs/new/").content.decode()
    assert 'name="slots"' in unit_form and 'name="category"' in unit_form


def test_a_bad_photo_is_refused_on_the_form_and_nothing_is_saved(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["resident"])
    response = client.post(
        "/lists/needs/new/",
        {
            "title": "x",
            "urgency": 0,
            "slots": 1,
            "photos": [
                SimpleUploadedFile("a.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
            ],
        },
    )
    assert response.status_code == 200
    assert "a.jpg" in response.content.decode()
    assert not Need.objects.exists()


def test_a_submitted_need_is_hidden_from_the_public_but_a_published_one_is_not(client, world, need):
    draft = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="草稿")
    )
    assert client.get(f"/lists/needs/{draft.pk}/").status_code == 404
    assert client.get(f"/lists/needs/{need.pk}/").status_code == 200
    client.force_login(world["outsider"])
    assert client.get(f"/lists/needs/{draft.pk}/").status_code == 404


def test_the_raisers_phone_is_shown_to_staff_only(client, world, need):
    client.force_login(world["community_staff"])
    assert "13900000001" in client.get(f"/lists/needs/{need.pk}/").content.decode()
    client.force_login(world["unit_admin"])
    assert "13900000001" not in client.get(f"/lists/needs/{need.pk}/").content.decode()


def test_staff_publish_from_the_review_queue(client, world):
    draft = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="草稿")
    )
    client.force_login(world["community_staff"])
    assert "草稿" in client.get("/lists/needs/review/").content.decode()
    client.post(f"/lists/needs/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.state == "published"


def test_a_resident_cannot_publish_through_the_page(client, world):
    draft = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="草稿")
    )
    client.force_login(world["resident"])
    response = client.post(f"/lists/needs/{draft.pk}/publish/", follow=True)
    assert "只有社区工作人员" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_the_claim_page_asks_a_visitor_to_sign_in_with_a_code(client, world, need):
    page = client.get(f"/lists/needs/{need.pk}/claim/").content.decode()
    assert "/accounts/login/code/?next=" in page


def test_claiming_and_signing_through_the_pages(client, world, need):
    client.force_login(world["unit_admin"])
    response = client.post(f"/lists/needs/{need.pk}/claim/", {"organization": world.unit.pk})
    project = Project.objects.get()
    assert response.url == f"/lists/projects/{project.pk}/"
    drawing = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = client.post(
        f"/lists/projects/{project.pk}/sign/",
        {"side": "claimant", "typed_name": "管理员丙", "drawing": drawing},
    )
    assert response.status_code == 302
    bad = client.post(
        f"/lists/projects/{project.pk}/sign/",
        {"side": "need", "typed_name": "管理员丙", "drawing": drawing},
    )
    assert bad.status_code == 400 and "不能代表" in bad.content.decode()
    client.force_login(world["resident"])
    empty = client.post(
        f"/lists/projects/{project.pk}/sign/",
        {"side": "need", "typed_name": "居民甲", "drawing": ""},
    )
    assert empty.status_code == 400 and "签名" in empty.content.decode()
    assert 'id="typed-name-need" autocomplete="name" value="居民甲"' in empty.content.decode()
    client.post(
        f"/lists/projects/{project.pk}/sign/",
        {"side": "need", "typed_name": "居民甲", "drawing": drawing},
    )
    project.refresh_from_db()
    assert project.state == "active"


def test_a_second_claimant_on_the_page_is_told_it_is_taken(client, world, need):
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    client.force_login(world["community_staff"])
    page = client.get(f"/lists/needs/{need.pk}/claim/").content.decode()
    assert "已经被认领" in page


def test_the_project_page_is_private_to_the_parties_and_staff(client, world, need):
    project = services.claim_need(world["unit_admin"], need, organization=world.unit).project
    for role, status in [("outsider", 404), ("unit_contact", 200), ("community_staff", 200)]:
        client.force_login(world[role])
        assert client.get(f"/lists/projects/{project.pk}/").status_code == status, role
    client.logout()
    assert client.get(f"/lists/projects/{project.pk}/").status_code == 404


def test_the_list_renders_ten_thousand_needs_with_a_bounded_number_of_queries(
    client, world, haircut
):
    Need.objects.bulk_create(
        Need(
            community=world.community,
            title=f"需求{i}",
            raiser_kind="resident",
            state="published",
            category=haircut,
            compound=world.compound,
            search_text=f"需求{i}",
        )
        for i in range(10_000)
    )
    client.get("/lists/needs/")  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/lists/needs/", {"page": 3})
    assert response.status_code == 200
    assert "10000" in response.content.decode().replace(",", "")
    # Drawn afresh (another page than the kept one): the versions it is kept under, then the
    # list's own queries, whatever the number of needs.
    assert len(queries) <= 9, [q["sql"][:120] for q in queries]


def test_the_public_page_of_finished_projects_shows_no_personal_data(client, world, need):
    from tests.lists.conftest import sign_both

    project = services.claim_need(world["unit_admin"], need, organization=world.unit).project
    sign_both(world, project)
    services.complete_project(
        world["unit_admin"],
        project,
        services.Outcomes(summary="为12位老人上门理发", people_served=12),
    )
    page = client.get("/lists/built/").content.decode()
    assert "为12位老人上门理发" in page and "武汉市第一商业学校" in page
    for private in ("居民甲", "13900000001", "管理员丙", "13900000003"):
        assert private not in page


def test_a_resource_is_offered_by_a_unit_and_shown_on_its_page(client, world):
    client.force_login(world["unit_admin"])
    response = client.post(
        "/lists/resources/new/",
        {
            "provider_org": world.unit.pk,
            "title": "理发服务",
            "kind": "service",
            "capacity_text": "40 人次/月",
            "weekdays": ["3"],
            "hours_from": "14:00",
            "hours_to": "17:00",
            "availability": "每周三下午",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(f"/orgs/{world.unit.pk}/").content.decode()
    assert "理发服务" in page and "40 人次" in page


def test_the_deadline_field_explains_a_past_date(client, world):
    client.force_login(world["resident"])
    yesterday = datetime.date.today() - datetime.timedelta(days=2)  # noqa: DTZ011
    response = client.post(
        "/lists/needs/new/", {"title": "x", "urgency": 0, "slots": 1, "deadline": yesterday}
    )
    assert (
        "截止日期已过" in response.content.decode() or "already passed" in response.content.decode()
    )


def test_staff_export_the_filtered_list_and_the_export_is_audited(client, world, need):
    from io import BytesIO

    from openpyxl import load_workbook

    from wulian.audit.models import AuditEntry

    client.force_login(world["community_staff"])
    page = client.get("/lists/needs/", {"q": "理发"}).content.decode()
    url = f"/lists/communities/{world.community.pk}/export/needs/?q=%E7%90%86%E5%8F%91"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["42号小区老人上门理髮"]
    assert AuditEntry.objects.filter(
        action="lists.exported", actor=world["community_staff"]
    ).exists()
    client.force_login(world["resident"])
    assert "/export/" not in client.get("/lists/needs/").content.decode()
    assert client.get(url).status_code in {403, 404}


def test_staff_see_the_review_section_only_while_there_is_something_to_review(client, world, need):
    client.force_login(world["community_staff"])
    page = client.get(f"/lists/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h2>审核</h2>" in page and "/reject/" in page
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    page = client.get(f"/lists/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h2>审核</h2>" not in page and "/reject/" not in page


def test_the_claim_for_choice_is_a_group_with_a_legend_not_a_label_for_nothing(client, world, need):
    client.force_login(world["unit_admin"])
    page = client.get(f"/lists/needs/{need.pk}/claim/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert 'for=""' not in html
    legend = html.index("<legend>", html.index('id="claim-form"'))
    assert html.index('type="radio"', legend) > legend
