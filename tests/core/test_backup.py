"""`wulian backup` and `wulian restore`: a round trip gives back every row and every file."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from wulian.core.backup import file_hashes, table_counts
from wulian.lists import services
from wulian.lists.models import Attachment, Need


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_a_backup_gives_back_every_row_and_file_after_the_site_changed(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    services.raise_need(
        world["resident"],
        world.community,
        services.NeedInput(title="楼道灯坏了"),
        photos=[SimpleUploadedFile("灯.jpg", _jpeg(), content_type="image/jpeg")],
    )
    counts, hashes = table_counts(), file_hashes()
    assert counts["lists_need"] == 1 and len(hashes) >= 1

    made = _run("backup", "-o", str(tmp_path))
    archive = tmp_path / made["archive"].rsplit("/", 1)[-1]
    assert archive.name.startswith("wulian-backup-") and archive.name.endswith(".tar.gz")
    assert made["files"] == len(hashes) and made["rows"] == sum(counts.values())

    # The site goes on: a need more, a photo lost, a stray file added.
    services.raise_need(world["resident"], world.community, services.NeedInput(title="又一个"))
    photo = Attachment.objects.get()
    photo.file.storage.delete(str(photo.file.name))
    (settings.MEDIA_ROOT / "stray.txt").write_text("not in the backup")
    assert Need.objects.count() == 2

    restored = _run("restore", str(archive), "--yes")
    assert restored["ok"] is True and restored["tables_differ"] == {}
    assert table_counts() == counts
    assert file_hashes() == hashes
    assert list(Need.objects.values_list("title", flat=True)) == ["楼道灯坏了"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_what_is_not_a_backup_of_this_kind_of_database(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a Wulian backup"):
        call_command("restore", str(junk), "--yes")

    other = tmp_path / "other.tar.gz"
    manifest = {
        "created_at": "2026-12-01T00:00:00+00:00",
        "engine": "oracle",
        "tables": {},
        "files": {},
        "format": 1,
    }
    data = json.dumps(manifest).encode()
    with tarfile.open(other, "w:gz") as archive:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    before = table_counts()
    with pytest.raises(CommandError, match="oracle"):
        call_command("restore", str(other), "--yes")
    assert table_counts() == before


@pytest.mark.django_db(transaction=True)
def test_with_the_files_in_an_object_store_the_backup_holds_the_database_only(
    world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "left-behind.txt").write_text("not the site's files any more")
    settings.MEDIA_STORAGE = "s3"
    made = _run("backup", "-o", str(tmp_path))
    archive = tmp_path / made["archive"].rsplit("/", 1)[-1]
    assert made["files"] == 0
    with tarfile.open(archive, "r:gz") as tar:
        assert not [m for m in tar.getnames() if m.startswith("media")]
    restored = _run("restore", str(archive), "--yes")
    assert restored["ok"] is True
    assert (settings.MEDIA_ROOT / "left-behind.txt").exists()  # no folder replaced
