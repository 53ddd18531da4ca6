"""Uploaded photos are shown to those who may see what they belong to, and to no one else."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tests.conftest import fresh
from tests.lists.conftest import sign_both
from wulian.core.uploads import clean_upload
from wulian.lists import services as lists
from wulian.whistle import services as whistles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_SERVE = "stream"
    return settings.MEDIA_ROOT


def photo(width: int = 1200, height: int = 900) -> Any:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG")
    return clean_upload(out.getvalue(), name="楼道.jpg")


def _get(client: Any, user: Any, url: str) -> Any:
    client.logout()
    if getattr(user, "pk", None) is not None:
        client.force_login(fresh(user))
    return client.get(url)


def _submitted_need(world: Any) -> Any:
    return lists.raise_need(
        world["resident"],
        world.community,
        lists.NeedInput(title="楼道灯坏了"),
        photos=[photo()],
    )


# Who sees a photo of a need the resident has just sent in (not yet published).
SUBMITTED = {
    "resident": 200,
    "unit_contact": 404,
    "community_staff": 200,
    "subdistrict_staff": 200,
    "outsider": 404,
    "anonymous": 404,
}


@pytest.mark.parametrize(("role", "status"), SUBMITTED.items())
def test_it_shows_a_submitted_need_s_photo_to_its_raiser_and_staff_only(
    client: Any, world: Any, role: str, status: int
) -> None:
    attachment = _submitted_need(world).photos.get()
    answer = _get(client, world[role], attachment.url)
    assert answer.status_code == status
    if status == 200:
        assert answer["Content-Type"] == "image/jpeg"
        assert answer["Cache-Control"] == "private, max-age=3600"
        assert b"".join(answer.streaming_content).startswith(b"\xff\xd8")


@pytest.mark.parametrize("role", ["unit_contact", "outsider", "anonymous"])
def test_it_shows_a_published_need_s_photo_to_anyone_who_sees_the_need(
    client: Any, world: Any, role: str
) -> None:
    need = lists.publish_need(world["community_staff"], _submitted_need(world))
    answer = _get(client, world[role], need.photos.get().url)
    assert answer.status_code == 200


PROJECT = {
    "resident": 200,  # raised the need: party A
    "unit_contact": 200,  # the claiming unit: party B
    "community_staff": 200,
    "subdistrict_staff": 200,
    "outsider": 404,
    "anonymous": 404,
}


@pytest.mark.parametrize(("role", "status"), PROJECT.items())
def test_it_shows_progress_photos_to_the_project_s_parties_and_staff(
    client: Any, world: Any, role: str, status: int
) -> None:
    need = lists.publish_need(
        world["community_staff"],
        lists.raise_need(world["resident"], world.community, lists.NeedInput(title="上门理发")),
    )
    claim = lists.claim_need(world["unit_contact"], need, organization=world.unit)
    sign_both(world, claim.project)
    update = lists.post_progress(
        world["community_staff"], claim.project, "第一次上门", photos=[photo()]
    )
    answer = _get(client, world[role], update.photos.get().url)
    assert answer.status_code == status


WHISTLE = {
    "resident": 200,  # reported it
    "unit_contact": 200,  # the unit called
    "community_staff": 200,
    "subdistrict_staff": 200,
    "outsider": 404,
    "anonymous": 404,
}


@pytest.mark.parametrize(("role", "status"), WHISTLE.items())
def test_it_shows_whistle_and_action_photos_to_those_who_see_the_whistle(
    client: Any, world: Any, role: str, status: int
) -> None:
    whistle = whistles.blow_whistle(
        world["community_staff"],
        world.community,
        whistles.WhistleInput(
            type="everyday",
            title="下水道堵塞",
            units=[world.unit],
            raised_by=world["resident"],
            photos=[photo()],
        ),
    )
    call = whistle.calls.get()
    action = whistles.post_action(world["unit_contact"], call, "已疏通", photos=[photo()])
    for stored in (whistle.photos.get(), action.photos.get()):
        assert _get(client, world[role], stored.url).status_code == status


def test_it_serves_a_small_copy_for_lists(client: Any, world: Any, media: Any) -> None:
    attachment = _submitted_need(world).photos.get()
    answer = _get(client, world["resident"], attachment.thumbnail_url)
    assert answer.status_code == 200
    small = Image.open(io.BytesIO(b"".join(answer.streaming_content)))
    assert max(small.size) == 320
    assert (media / "thumbs" / attachment.file.name).exists()
    # The small copy itself is not reachable by its own name.
    thumb = attachment.url.replace("/media/", "/media/thumbs/")
    assert _get(client, world["resident"], thumb).status_code == 404


def test_it_hands_the_file_to_nginx_when_told_to(client: Any, world: Any, settings: Any) -> None:
    settings.MEDIA_SERVE = "x-accel-redirect"
    settings.MEDIA_ACCEL_PREFIX = "/protected-media/"
    attachment = _submitted_need(world).photos.get()
    answer = _get(client, world["community_staff"], attachment.url)
    assert answer.status_code == 200
    assert answer["X-Accel-Redirect"] == f"/protected-media/{attachment.file.name}"
    assert answer.content == b""


def test_it_hands_the_file_to_apache_when_told_to(
    client: Any, world: Any, settings: Any, media: Any
) -> None:
    settings.MEDIA_SERVE = "x-sendfile"
    attachment = _submitted_need(world).photos.get()
    answer = _get(client, world["community_staff"], attachment.url)
    assert answer["X-Sendfile"] == str(media / attachment.file.name)


@pytest.mark.parametrize(
    "name", ["signatures/2026/11/a.png", "attachments/../secret_key", "whistles/none.jpg"]
)
def test_it_serves_nothing_that_is_not_a_recorded_upload(
    client: Any, world: Any, media: Any, name: str
) -> None:
    (media / "signatures/2026/11").mkdir(parents=True)
    (media / "signatures/2026/11/a.png").write_bytes(b"\x89PNG")
    answer = _get(client, world["community_staff"], f"/media/{name}")
    assert answer.status_code == 404


def test_it_shows_thumbnails_on_the_need_list_in_one_query(client: Any, world: Any) -> None:
    def publish(n: int) -> None:
        lists.publish_need(
            world["community_staff"],
            lists.raise_need(
                world["resident"],
                world.community,
                lists.NeedInput(title=f"楼道灯坏了 {n}"),
                photos=[photo()],
            ),
        )

    def count_queries() -> tuple[int, str]:
        cache.clear()  # the list drawn afresh each time, not the kept one
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/lists/needs/")
        return len(queries), page.content.decode()

    client.force_login(fresh(world["community_staff"]))
    client.get("/lists/needs/")  # a browser with its CSRF cookie, as after its first page
    publish(0)
    one, _ = count_queries()
    publish(1)
    publish(2)
    three, html = count_queries()
    assert html.count("?size=thumb") == 3
    assert three == one


@pytest.fixture
def bucket(settings: Any) -> Any:
    """An S3 bucket (moto's, in this process) holding the uploads, as with MEDIA_STORAGE=s3."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="wulian-media")
        settings.MEDIA_SERVE = "redirect"
        settings.MEDIA_URL_SECONDS = 120
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "wulian-media",
                    "region_name": "us-east-1",
                    "access_key": "testing",
                    "secret_key": "testing",
                    "location": "media",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "signature_version": "s3v4",
                    "file_overwrite": False,
                },
            },
        }
        yield client


def test_in_an_object_store_a_file_is_a_signed_address_given_after_the_check(
    client: Any, world: Any, bucket: Any, media: Any
) -> None:
    from urllib.parse import parse_qs, urlparse

    attachment = _submitted_need(world).photos.get()
    key = f"media/{attachment.file.name}"
    stored = bucket.get_object(Bucket="wulian-media", Key=key)["Body"].read()
    assert stored.startswith(b"\xff\xd8")  # the photo is in the bucket …
    assert not (media / attachment.file.name).exists()  # … and not on this machine's disk

    answer = _get(client, world["community_staff"], attachment.url)
    assert answer.status_code == 302
    assert answer["Cache-Control"] == "no-store"
    signed = urlparse(answer["Location"])
    assert signed.path.endswith(key)
    query = parse_qs(signed.query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    assert query["response-content-type"] == ["image/jpeg"]
    assert query["response-content-disposition"][0].startswith("inline; filename*=UTF-8''")

    # the outsider learns nothing, not even the object's address
    assert _get(client, world["outsider"], attachment.url).status_code == 404
    # a small copy is made in the bucket, beside the original
    thumb = _get(client, world["community_staff"], attachment.url + "?size=thumb")
    assert urlparse(thumb["Location"]).path.endswith(f"media/thumbs/{attachment.file.name}")
    listed = bucket.list_objects_v2(Bucket="wulian-media", Prefix="media/thumbs/")
    assert listed["KeyCount"] == 1


def test_the_environment_chooses_the_object_store() -> None:
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['default'], s.MEDIA_SERVE]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wulian.settings",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": "city-media",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    storage, serve = json.loads(out.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "city-media"
    assert storage["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert serve == "redirect"
    bad = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "MEDIA_STORAGE": "filesystem", "MEDIA_SERVE": "redirect"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0 and "MEDIA_SERVE=redirect needs MEDIA_STORAGE=s3" in bad.stderr
