"""Uploaded files are judged by their content and come out clean."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from PIL import ExifTags, Image, ImageCms, ImageFile

from wulian.core.uploads import (
    CleanFile,
    CleanFileField,
    MultipleCleanFileField,
    UploadError,
    clean_upload,
)

# Fixtures, made here rather than committed ------------------------------------------------------


def jpeg_with_gps_and_orientation(width: int = 3200, height: int = 2000) -> bytes:
    """A camera-like JPEG: red left half, blue right half, to be turned 90° clockwise for
    display (EXIF orientation 6), with a GPS position, a camera name, XMP and an ICC profile."""
    picture = Image.new("RGB", (width, height), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-123456"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 35.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (114.0, 17.0, 24.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    out = io.BytesIO()
    picture.save(
        out,
        "JPEG",
        exif=exif.tobytes(),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>',
        icc_profile=icc,
        comment=b"taken at home",
    )
    return out.getvalue()


def plain_jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def png(mode: str = "RGBA", size: tuple[int, int] = (400, 300), alpha: int = 0) -> bytes:
    picture = Image.new(mode, size, (200, 30, 30, 255))
    picture.paste((0, 0, 0, alpha), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's calling card."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def real_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Agreement</h1><p>Signed.</p>").write_pdf()


def handmade_pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A well-formed PDF around the given object bodies (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)


def pdf_with_javascript(name: bytes = b"/JavaScript") -> bytes:
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"
    action = b"<< /Type /Action /S " + name + b" /JS (app.alert('hi');) >>"
    return handmade_pdf(catalog, *PAGES, action)


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pixel(picture: Image.Image, x: int, y: int) -> tuple[int, ...]:
    value = picture.getpixel((x, y))
    assert isinstance(value, tuple)
    return value


def files(name: str, *uploads: UploadedFile) -> MultiValueDict[str, UploadedFile]:
    return MultiValueDict({name: list(uploads)})


def refusal(uploaded: object, **kwargs: object) -> UploadError:
    with pytest.raises(UploadError) as caught:
        clean_upload(uploaded, **kwargs)  # type: ignore[arg-type]
    return caught.value


# Photos ----------------------------------------------------------------------------------------


def test_it_strips_every_trace_of_metadata_from_a_camera_jpeg():
    original = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    clean = clean_upload(upload("IMG_0001.JPG", original))

    picture = Image.open(io.BytesIO(clean.content))
    assert picture.format == "JPEG"
    assert len(picture.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(picture.info)
    for trace in (b"Exif", b"PhoneMaker", b"SERIAL-123456", b"secret place", b"taken at home"):
        assert trace not in clean.content
    assert (clean.mime, clean.extension, clean.original_name) == (
        "image/jpeg",
        "jpg",
        "IMG_0001.JPG",
    )


def test_it_turns_the_photo_upright_and_shrinks_it_to_1600_pixels():
    clean = clean_upload(upload("IMG_0001.JPG", jpeg_with_gps_and_orientation(3200, 2000)))

    picture = Image.open(io.BytesIO(clean.content)).convert("RGB")
    assert picture.size == (clean.width, clean.height) == (1000, 1600)
    red, _, blue = pixel(picture, 500, 100)  # the red left half is now on top
    assert red > 200 and blue < 60
    red, _, blue = pixel(picture, 500, 1500)
    assert blue > 200 and red < 60


def test_it_keeps_a_small_photo_at_its_size():
    clean = clean_upload(plain_jpeg(640, 480), name="small.jpg")

    assert (clean.width, clean.height) == (640, 480)
    assert clean.kind == "image"


def test_it_keeps_a_transparent_png_as_png():
    clean = clean_upload(upload("logo.png", png(alpha=0), "image/png"))

    picture = Image.open(io.BytesIO(clean.content))
    assert (picture.format, picture.mode, clean.mime, clean.extension) == (
        "PNG",
        "RGBA",
        "image/png",
        "png",
    )
    assert pixel(picture, 10, 10)[3] == 0
    assert pixel(picture, 390, 10)[3] == 255


def test_it_turns_an_opaque_png_into_a_jpeg():
    clean = clean_upload(upload("screenshot.png", png(alpha=255), "image/png"))

    assert clean.mime == "image/jpeg"


def test_it_keeps_only_the_first_frame_of_a_gif():
    frames = [Image.new("P", (50, 40), color) for color in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])

    clean = clean_upload(out.getvalue(), name="funny.gif")

    assert (clean.mime, clean.width, clean.height) == ("image/jpeg", 50, 40)
    assert getattr(Image.open(io.BytesIO(clean.content)), "n_frames", 1) == 1


def test_it_reads_webp():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(out, "WEBP")

    assert clean_upload(out.getvalue(), name="a.webp").mime == "image/jpeg"


def test_it_gives_a_storage_file_with_a_random_name():
    clean = clean_upload(plain_jpeg(), name="张三的身份证.jpg")

    stored = str(clean.to_content_file().name)
    assert stored.endswith(".jpg") and "张三" not in stored
    assert clean.to_content_file("need-42").name == "need-42.jpg"


# Refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"Just some text, not a photo at all.\n",
        b"<!doctype html><html><script>alert(1)</script></html>",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64,
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ],
    ids=["text", "html", "exe", "svg"],
)
def test_it_refuses_a_file_that_only_pretends_to_be_a_photo(content):
    error = refusal(upload("photo.jpg", content))

    assert error.code == "upload.not_allowed"
    assert "“photo.jpg”" in str(error.message)


def test_it_refuses_a_pdf_where_only_photos_are_welcome():
    error = refusal(upload("scan.pdf", real_pdf(), "application/pdf"), allow=("image",))

    assert error.code == "upload.not_allowed"
    assert "is not a photo" in str(error.message)


def test_it_refuses_a_photo_where_only_pdfs_are_welcome():
    assert refusal(plain_jpeg(), allow=("pdf",)).code == "upload.not_allowed"


@pytest.mark.parametrize("tolerant", [False, True], ids=["pillow-strict", "weasyprint-tolerant"])
@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_it_refuses_a_truncated_picture_as_broken(monkeypatch, tolerant, kind):
    # WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tolerant)
    noise = Image.effect_noise((400, 300), 60).convert("RGB")
    out = io.BytesIO()
    noise.save(out, kind.upper())
    content = out.getvalue()

    error = refusal(upload(f"cut.{kind}", content[: len(content) * 2 // 3]))

    assert error.code == "upload.broken"
    assert f"“cut.{kind}”" in str(error.message)


def test_it_refuses_an_oversize_file_and_says_how_large_it_is():
    content = b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024 + 200 * 1024)
    error = refusal(upload("photo.jpg", content), max_bytes=2 * 1024 * 1024)

    assert error.code == "upload.too_large"
    assert str(error.message) == "“photo.jpg” is 3.2 MB; files may be at most 2 MB."


def test_it_takes_the_size_limit_from_the_settings(settings):
    settings.UPLOAD_MAX_BYTES = 1024

    assert refusal(plain_jpeg(), name="a.jpg").code == "upload.too_large"


def test_it_refuses_a_declared_oversize_upload_without_reading_it():
    class Huge(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("read")

    huge = Huge("video.mp4", b"")
    huge.size = 200 * 1024 * 1024

    error = refusal(huge)
    assert error.code == "upload.too_large"
    assert "200 MB" in str(error.message)


def test_it_refuses_an_empty_file():
    assert refusal(upload("nothing.jpg", b"")).code == "upload.empty"


@pytest.mark.parametrize("size", [(100_000, 100_000), (8_000, 8_000)], ids=["bomb", "64MP"])
def test_it_refuses_a_picture_with_too_many_pixels_before_decoding_it(size):
    error = refusal(upload("bomb.png", png_header_only(*size), "image/png"))

    assert error.code == "upload.too_many_pixels"
    assert "50 megapixels" in str(error.message)


def test_it_explains_heic_photos_it_cannot_read():
    content = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100

    Image.init()
    if "HEIF" in Image.OPEN:
        pytest.skip("this Pillow has a HEIF plugin")

    error = refusal(upload("IMG_0002.HEIC", content))
    assert error.code == "upload.not_allowed"
    assert "HEIC" in str(error.message)


def test_it_names_an_unnamed_file_plainly():
    assert str(refusal(b"").message) == "This file is empty; please choose the file again."


# PDF -------------------------------------------------------------------------------------------


def test_it_keeps_a_real_pdf_as_it_is():
    content = real_pdf()

    clean = clean_upload(upload("agreement.pdf", content, "application/pdf"))

    assert clean == CleanFile(content, "application/pdf", "pdf", None, None, "agreement.pdf")
    assert clean.kind == "pdf"


def test_it_accepts_a_handmade_pdf_without_actions():
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    assert clean_upload(handmade_pdf(catalog, *PAGES)).mime == "application/pdf"


@pytest.mark.parametrize("name", [b"/JavaScript", b"/J#61vaScript", b"/Launch"])
def test_it_refuses_a_pdf_with_scripts_or_launch_actions(name):
    error = refusal(upload("form.pdf", pdf_with_javascript(name), "application/pdf"))

    assert error.code == "upload.not_allowed"
    assert "scripts" in str(error.message)


def test_it_finds_javascript_hidden_in_a_compressed_object_stream():
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    stream = b"<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"

    content = handmade_pdf(catalog, *PAGES, stream + hidden + b"\nendstream")

    assert refusal(content).code == "upload.not_allowed"


def test_it_refuses_a_javascript_pdf_appended_to_a_real_one():
    content = real_pdf() + b"\n" + pdf_with_javascript()[len(b"%PDF-1.7\n") :]

    assert refusal(content).code in {"upload.not_allowed", "upload.broken"}


def test_it_refuses_an_encrypted_pdf():
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    encrypt = b"<< /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >>"
    content = handmade_pdf(catalog, *PAGES, encrypt, trailer=b"/Encrypt 4 0 R ")

    error = refusal(content)
    assert error.code == "upload.not_allowed"
    assert "password" in str(error.message)


@pytest.mark.parametrize(
    "cut", [lambda pdf: pdf[:-200], lambda pdf: pdf.replace(b"startxref", b"startxyz")]
)
def test_it_refuses_a_damaged_pdf(cut):
    error = refusal(upload("report.pdf", cut(real_pdf()), "application/pdf"))

    assert error.code == "upload.broken"
    assert "“report.pdf”" in str(error.message)


# Form fields -----------------------------------------------------------------------------------


class NeedForm(forms.Form):
    photo = CleanFileField(allow=("image",), required=False)
    agreement = CleanFileField(allow=("pdf",), required=False)
    photos = MultipleCleanFileField(allow=("image",), max_files=3, required=False)


def test_it_gives_the_form_a_clean_file():
    form = NeedForm(data={}, files=files("photo", upload("a.jpg", plain_jpeg())))

    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["photo"], CleanFile)
    assert form.cleaned_data["photos"] == []


def test_it_puts_the_refusal_on_the_field():
    form = NeedForm(data={}, files=files("photo", upload("a.jpg", b"plain text")))

    assert not form.is_valid()
    assert form.errors["photo"] == [
        "“a.jpg” is not a photo; please upload a JPEG, PNG or WebP picture."
    ]
    assert form.errors.as_data()["photo"][0].code == "upload.not_allowed"


def test_it_takes_several_photos_at_once():
    form = NeedForm(
        data={}, files=files("photos", *(upload(f"{n}.jpg", plain_jpeg()) for n in range(3)))
    )

    assert form.is_valid(), form.errors
    assert [clean.original_name for clean in form.cleaned_data["photos"]] == [
        "0.jpg",
        "1.jpg",
        "2.jpg",
    ]
    assert 'multiple accept="image/jpeg' in str(form["photos"])


def test_it_refuses_too_many_photos():
    form = NeedForm(
        data={}, files=files("photos", *(upload(f"{n}.jpg", plain_jpeg()) for n in range(4)))
    )

    assert not form.is_valid()
    assert form.errors["photos"] == ["You can upload at most 3 files at once; you chose 4."]


def test_it_reports_every_refused_photo_of_several():
    chosen = files("photos", upload("good.jpg", plain_jpeg()), upload("bad.jpg", b"x" * 10))

    form = NeedForm(data={}, files=chosen)

    assert not form.is_valid()
    assert len(form.errors["photos"]) == 1 and "“bad.jpg”" in form.errors["photos"][0]


def test_it_requires_a_photo_when_the_field_is_required():
    class Required(forms.Form):
        photos = MultipleCleanFileField(allow=("image",))

    form = Required(data={}, files=MultiValueDict())

    assert not form.is_valid()
    assert form.errors.as_data()["photos"][0].code == "required"


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are asserted in their English source text."""
    with translation.override("en"):
        yield
