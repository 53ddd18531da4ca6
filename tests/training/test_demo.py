from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from wulian.accounts.models import User
from wulian.places.models import Region
from wulian.site.demo import DemoBuilder
from wulian.training.demo import build_training
from wulian.training.models import Attendance, DualRegistration, Session


@pytest.fixture
def demo(db):
    DemoBuilder().build()
    return Region.objects.get(name="江汉北路社区"), User.objects.get(mobile="13800000001")


def test_the_demo_holds_the_article_s_joint_training(demo):
    community, secretary = demo
    titles = set(Session.objects.values_list("title", flat=True))
    assert {
        "重温红色记忆：联合参观二七纪念馆",
        "八路军武汉办事处旧址专题展览学习",
        "同上一堂党课",
    } <= titles
    credited = set(Attendance.objects.values_list("organization__name", flat=True))
    assert credited == {"中共江汉北路社区委员会", "武汉市第一商业学校"}
    online = Attendance.objects.filter(session__title="同上一堂党课")
    assert online.exists() and set(online.values_list("method", flat=True)) == {"online"}
    assert DualRegistration.objects.filter(community=community).exists()
    assert build_training(community, secretary) == 0


def test_the_secretary_reads_the_demo_progress_on_the_page_and_the_command_line(demo):
    _community, secretary = demo
    client = Client()
    client.force_login(secretary)
    page = client.get("/training/progress/")
    assert page.status_code == 200 and "中共江汉北路社区委员会" in page.content.decode()
    out = io.StringIO()
    call_command("training", "progress", "--org", "社区党委", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["members"] and any(m["hours"] > 0 for m in data["members"])
