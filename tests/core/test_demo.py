from typing import Any

from django.core.management import call_command

from wulian.accounts.models import User
from wulian.orgs.models import Membership, Organization, Partnership
from wulian.places.models import Compound, Region

MODELS: list[Any] = [Region, Compound, User, Organization, Membership, Partnership]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_the_demo_builds_the_articles_community(db):
    call_command("demo", "--quiet")
    community = Region.objects.get(name="江汉北路社区")
    assert [r.name for r in community.ancestors()] == [
        "武汉市",
        "江岸区",
        "西马街道",
        "江汉北路社区",
    ]
    assert (community.population, community.party_members) == (9702, 357)
    assert community.compounds.count() == 7
    assert community.compounds.filter(name__contains="42号").exists()
    assert Organization.objects.filter(name="武汉市第一商业学校", kind="school").exists()
    assert Organization.objects.filter(kind="enterprise", region=community).count() == 23
    assert Organization.objects.filter(kind="volunteer_team", region=community).count() == 6
    for body in (
        "市委网信办",
        "市互联网行业党委",
        "市职防院",
        "二七纪念馆",
        "八路军武汉办事处",
        "斗鱼",
    ):
        assert Organization.objects.filter(short_name=body).exists(), body
    assert User.objects.filter(community=community).count() >= 300
    assert Region.objects.get(name="西马街道").staff.exists()
    assert community.staff.exists()


def test_the_demo_is_idempotent_and_deterministic(db):
    call_command("demo", "--quiet")
    first = _counts()
    names = list(User.objects.order_by("mobile").values_list("mobile", "real_name"))
    call_command("demo", "--quiet")
    assert _counts() == first
    assert list(User.objects.order_by("mobile").values_list("mobile", "real_name")) == names


def test_make_run_loads_the_demo_only_into_an_empty_database(db, capsys):
    Region.objects.create(name="某市", level="city")
    call_command("demo", "--if-empty")
    assert not Region.objects.filter(name="江汉北路社区").exists()
    assert "not loaded" in capsys.readouterr().out


def test_the_demo_accounts_can_sign_in(client, db):
    call_command("demo", "--quiet")
    response = client.post("/accounts/login/", {"mobile": "13800000001", "password": "wulian2026"})
    assert response.status_code == 302


def test_a_list_that_writes_42号小区_imports_into_the_demo_without_a_question(db):
    """The article (and the staff's own sheets) call the compound 42号小区."""
    from wulian.lists import spreadsheets

    call_command("demo", "--quiet")
    community = Region.objects.get(name="江汉北路社区")
    assignment = community.staff.select_related("user").first()
    assert assignment is not None
    staff = assignment.user
    data = "标题,小区\n老人上门理发,42号小区\n".encode()
    report = spreadsheets.import_file(staff, community, "needs", "n.csv", data, dry_run=True)
    assert not report.errors and not report.questions
    need = report.to_create[0].need
    assert need is not None and need.compound is not None
    assert need.compound.name == "江汉北路42号小区"
