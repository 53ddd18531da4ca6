"""A need's and a project's actions are tables: the page's buttons and the API's endpoints
cannot drift."""

from __future__ import annotations

import pytest

from tests.lists.test_api import tokens  # noqa: F401 (a fixture)
from tests.lists.test_sign_by_code import project  # noqa: F401 (a fixture)
from wulian.lists.actions import NEED_ACTIONS, PROJECT_ACTIONS
from wulian.lists.models import Need


@pytest.mark.parametrize("action", NEED_ACTIONS.names())
def test_every_action_of_the_page_is_also_in_the_api(client, world, need, tokens, action):  # noqa: F811
    page = client.post(f"/lists/needs/{need.pk}/{action}/")
    api = client.post(f"/api/needs/{need.pk}/{action}", **tokens["outsider"])
    assert page.status_code != 404 and api.status_code != 404


def test_staff_reject_through_the_api_with_the_reason_the_raiser_sees(client, need, tokens):  # noqa: F811
    missing = client.post(
        f"/api/needs/{need.pk}/reject", {}, content_type="application/json", **tokens["staff"]
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "need.no_reason"
    done = client.post(
        f"/api/needs/{need.pk}/reject",
        {"reason": "不属于社区服务范围"},
        content_type="application/json",
        **tokens["staff"],
    )
    assert done.status_code == 200 and done.json()["state"] == "rejected"
    assert Need.objects.get(pk=need.pk).rejection_reason == "不属于社区服务范围"


def test_a_merge_names_the_other_need_and_a_bad_number_is_explained(client, world, need):
    client.force_login(world["community_staff"])
    response = client.post(f"/lists/needs/{need.pk}/merge/", {"into": "abc"}, follow=True)
    assert "合并到的需求编号" in response.content.decode()
    assert Need.objects.get(pk=need.pk).state == need.state


def test_an_action_the_table_does_not_know_is_not_found(client, world, need, tokens):  # noqa: F811
    client.force_login(world["community_staff"])
    assert client.post(f"/lists/needs/{need.pk}/explode/").status_code == 404
    assert client.post(f"/api/needs/{need.pk}/explode", **tokens["staff"]).status_code == 404


@pytest.mark.parametrize("action", PROJECT_ACTIONS.names())
def test_every_project_action_of_the_table_has_its_page_form(client, world, project, action):  # noqa: F811
    client.force_login(world["community_staff"])
    answer = client.post(f"/lists/projects/{project.pk}/{action}/", {})
    assert answer.status_code != 404  # refused for its missing fields, not unknown
    assert client.post(f"/lists/projects/{project.pk}/dance/", {}).status_code == 404
