"""Every upload field, posted through its real view with hostile and awkward files.

The table is upload field × file. A refused file re-renders the form (200) with a Chinese error
and leaves no row and no file behind; an accepted one is stored the way centers/images.py writes
it: a JPEG (and a JPEG thumbnail) with no EXIF, GPS, XMP or comment, whatever it was sent as.
All files are real, built with Pillow or byte by byte at test time; nothing is mocked.
"""

import io
import struct
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.models import Activity, OccurrencePhoto
from centers.images import MAX_EDGE, THUMB_EDGE
from centers.models import Photo, Room
from deliberation.models import Issue, IssuePhoto
from tests.factories import ActivityFactory, UserFactory
from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db

#: The script that a polyglot or metadata field smuggles in; it must never reach the stored file.
SCRIPT = b"<script>window.__xss=1</script>"

# -- Files ----------------------------------------------------------------------------------------


def _saved(img, fmt, **options):
    out = io.BytesIO()
    img.save(out, format=fmt, **options)
    return out.getvalue()


def _noise(size):
    """A photo-like RGB image: noise does not compress, so the file has a realistic size."""
    return Image.frombytes(
        "RGB", size, bytes((i * 7919) % 251 for i in range(size[0] * size[1] * 3))
    )


def _gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x013B] = "甄秘密"  # Artist: the photographer's name
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 49.0, 12.0)
    gps[3], gps[4] = "E", (111.0, 41.0, 30.0)
    return exif


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width, height, bit_depth, color_type, rows):
    """A PNG written byte by byte: Pillow cannot write 16-bit colour, nor stream a huge image."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    chunks = [_png_chunk(b"IHDR", header)]
    if color_type == 3:
        chunks.append(_png_chunk(b"PLTE", b"\x00\x00\x00\xff\xff\xff"))
    chunks.append(_png_chunk(b"IDAT", rows))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + _png_chunk(b"IEND", b"")


@cache
def decompression_bomb():
    """20000×20000 palette pixels (400 million) in a few kilobytes, fully decodable."""
    width = height = 20000
    row = b"\x00" + bytes(width // 8)
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return _png(width, height, 1, 3, rows)


def header_claims_huge_dimensions():
    """A PNG header claiming 100000×100000 RGB pixels, followed by almost no data."""
    return _png(100_000, 100_000, 8, 2, zlib.compress(b"\x00" * 64))


def sixteen_bit_rgb_png():
    """8×6 pixels of 16-bit colour (0x8000, 0x4000, 0xC000): about (128, 64, 192) in 8 bits."""
    row = b"\x00" + struct.pack(">HHH", 0x8000, 0x4000, 0xC000) * 8
    return _png(8, 6, 16, 2, zlib.compress(row * 6))


def sixteen_bit_grey_png():
    img = Image.new("I;16", (40, 30))
    img.putdata([40000] * (40 * 30))  # 61 % grey: about 156 in 8 bits, not white
    return _saved(img, "PNG")


def jpeg_with_gps():
    return _saved(_noise((64, 48)), "JPEG", exif=_gps_exif())


def jpeg_with_xmp_gps():
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
        b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif='
        b'"http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="40,49.2N" '
        b'exif:GPSLongitude="111,41.5E"/></rdf:RDF></x:xmpmeta>'
    )
    return _saved(_noise((64, 48)), "JPEG", xmp=xmp)


def jpeg_html_polyglot():
    """A valid JPEG whose comment is an HTML page, with more HTML after the end of the image."""
    comment = b"<html><body>" + SCRIPT + b"</body></html>"
    return _saved(_noise((64, 48)), "JPEG", comment=comment) + b"<html>" + SCRIPT


def webp_with_gps():
    return _saved(_noise((64, 48)), "WEBP", exif=_gps_exif())


def cmyk_jpeg():
    return _saved(Image.new("CMYK", (60, 40), (0, 200, 200, 0)), "JPEG")


def animated_gif():
    frames = [Image.new("P", (30, 20), colour) for colour in (1, 2, 3)]
    return _saved(frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0)


def mpo_phone_photo():
    """A JPEG with a second, smaller picture (MPO), as many phones and cameras write."""
    return _saved(
        _noise((64, 48)), "MPO", save_all=True, append_images=[Image.new("RGB", (16, 12))]
    )


def png():
    return _saved(Image.new("RGB", (50, 40), (20, 120, 220)), "PNG")


def truncated(data):
    return data[: len(data) // 2]


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    b'onload="window.__xss=1">' + SCRIPT + b"<rect width='10' height='10'/></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + bytes(55) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00" + bytes(200)
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"


# -- What is refused and what is kept ----------------------------------------------------------

NOT_AN_IMAGE = "无法识别该文件，请上传 JPG、PNG、GIF 或 WebP 格式的照片。"
BROKEN = "图片文件已损坏或不完整，请重新上传。"
TOO_MANY_PIXELS = "图片尺寸过大"
TOO_LARGE = "文件太大"
EMPTY = "所提交的是空文件。"  # Django's own message


@dataclass(frozen=True)
class BadFile:
    name: str
    content: object  # bytes, or a function that builds them
    error: str
    content_type: str = "image/jpeg"
    settings: dict = field(default_factory=dict)

    def upload(self):
        data = self.content() if callable(self.content) else self.content
        return SimpleUploadedFile(self.name, data, content_type=self.content_type)


BAD_FILES = {
    "text": BadFile("notes.jpg", b"this is not an image, just text\n" * 20, NOT_AN_IMAGE),
    "pdf": BadFile("scan.pdf", PDF, NOT_AN_IMAGE, "application/pdf"),
    "exe_header": BadFile("photo.jpg", EXE, NOT_AN_IMAGE),
    "html_renamed_jpg": BadFile("photo.jpg", HTML, NOT_AN_IMAGE),
    "svg_with_script": BadFile("logo.svg", SVG, NOT_AN_IMAGE, "image/svg+xml"),
    "gif_html_polyglot": BadFile("pic.gif", b"GIF89a" + HTML, NOT_AN_IMAGE, "image/gif"),
    "tiff_not_allowed": BadFile(
        "scan.tiff", lambda: _saved(Image.new("RGB", (20, 20)), "TIFF"), NOT_AN_IMAGE
    ),
    "empty": BadFile("empty.jpg", b"", EMPTY),
    "truncated_jpeg": BadFile(
        "cut.jpg", lambda: truncated(_saved(_noise((200, 150)), "JPEG")), BROKEN
    ),
    "truncated_png": BadFile(
        "cut.png", lambda: truncated(_saved(_noise((200, 150)), "PNG")), BROKEN, "image/png"
    ),
    "decompression_bomb": BadFile("bomb.png", decompression_bomb, TOO_MANY_PIXELS, "image/png"),
    "huge_dimensions_header": BadFile(
        "huge.png", header_claims_huge_dimensions, TOO_MANY_PIXELS, "image/png"
    ),
    "over_the_pixel_cap": BadFile(
        "wide.png",
        lambda: _saved(Image.new("L", (3000, 2000)), "PNG"),
        TOO_MANY_PIXELS,
        "image/png",
        settings={"UPLOAD_MAX_PIXELS": 5_000_000},
    ),
    "over_the_size_cap": BadFile(
        "big.jpg",
        lambda: _saved(_noise((200, 150)), "JPEG", quality=95),
        TOO_LARGE,
        settings={"UPLOAD_MAX_BYTES": 10_000},
    ),
}


def _rgb_near(expected):
    def check(img):
        assert all(abs(a - b) <= 12 for a, b in zip(img.getpixel((2, 2)), expected, strict=True))

    return check


@dataclass(frozen=True)
class GoodFile:
    name: str
    content: object
    check: object = None  # a further check of the stored (full-size) image
    content_type: str = "image/jpeg"

    def upload(self):
        return SimpleUploadedFile(self.name, self.content(), content_type=self.content_type)


GOOD_FILES = {
    "jpeg_with_gps_exif": GoodFile("定位.jpg", jpeg_with_gps),
    "jpeg_with_xmp_gps": GoodFile("xmp.jpg", jpeg_with_xmp_gps),
    "webp_with_gps_exif": GoodFile("phone.webp", webp_with_gps, content_type="image/webp"),
    "jpeg_html_polyglot": GoodFile("polyglot.jpg", jpeg_html_polyglot),
    "cmyk_jpeg": GoodFile("print.jpg", cmyk_jpeg),
    "sixteen_bit_grey_png": GoodFile(
        "scan16.png", sixteen_bit_grey_png, _rgb_near((156, 156, 156)), "image/png"
    ),
    "sixteen_bit_rgb_png": GoodFile(
        "photo16.png", sixteen_bit_rgb_png, _rgb_near((128, 64, 192)), "image/png"
    ),
    "animated_gif": GoodFile("moving.gif", animated_gif, content_type="image/gif"),
    "mpo_phone_photo": GoodFile("IMG_0001.jpg", mpo_phone_photo),
    "png_named_jpg": GoodFile("really-a-png.jpg", png, _rgb_near((20, 120, 220))),
    "jpeg_named_html": GoodFile("page.html", jpeg_with_gps, content_type="text/html"),
}


# -- Upload fields --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One upload field and the real view that takes it, posted by the user who would use it."""

    who: str  # "worker", "visitor" or "superuser"
    url: object  # (world) -> url
    data: object  # (world) -> the rest of a valid form
    field: str
    rows: tuple  # models whose row count must not change on a refusal
    stored: object  # (world) -> [(image, thumbnail)] of what the accepted upload stored


def _activity_data(world):
    return {
        "title": "上传测试活动",
        "category": "culture",
        "audience": "all",
        "description": "封面图片测试。",
        "start_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "start_time": "09:00",
        "duration_minutes": "90",
        "location": "社区广场",
        "capacity": "20",
        "registration_closes_hours": "2",
        "volunteer_hours": "0",
    }


def _issue_data(world):
    return {
        "center": world.center.slug,
        "title": "楼道灯坏了",
        "category": Issue.Category.OTHER,
        "description": "三单元楼道灯坏了一周。",
        "is_anonymous": "on",
    }


def _room_files(world):
    return [(room.photo, room.thumbnail) for room in Room.objects.all()]


def _photo_files(world):
    return [(photo.image, photo.thumbnail) for photo in Photo.objects.all()]


def _cover_files(world):
    return [(a.cover, a.cover_thumbnail) for a in Activity.objects.filter(title="上传测试活动")]


def _row_files(model):
    return lambda world: [(row.image, row.thumbnail) for row in model.objects.all()]


TARGETS = {
    "room_photo": Target(
        "worker",
        lambda w: reverse("manage:content_add", args=[w.center.slug, "rooms"]),
        lambda w: {"name": "阅览室", "kind": "reading", "sort_order": "0"},
        "photo",
        (Room,),
        _room_files,
    ),
    "center_photo": Target(
        "worker",
        lambda w: reverse("manage:content_add", args=[w.center.slug, "photos"]),
        lambda w: {"caption": "活动照片", "sort_order": "0"},
        "image",
        (Photo,),
        _photo_files,
    ),
    "activity_cover": Target(
        "worker",
        lambda w: reverse("activities_manage:add", args=[w.center.slug]),
        _activity_data,
        "cover",
        (Activity,),
        _cover_files,
    ),
    "activity_record_photo": Target(
        "worker",
        lambda w: reverse("activities_manage:record", args=[w.past_occurrence.pk]),
        lambda w: {"summary": "为老人包饺子。", "head_count": "30"},
        "photo3",
        (OccurrencePhoto,),
        _row_files(OccurrencePhoto),
    ),
    "issue_photo": Target(
        "visitor",
        lambda w: reverse("deliberation:new"),
        _issue_data,
        "photo2",
        (Issue, IssuePhoto),
        _row_files(IssuePhoto),
    ),
    "admin_room_photo": Target(
        "superuser",
        lambda w: reverse("admin:centers_room_add"),
        lambda w: {"center": w.center.pk, "name": "会议室", "kind": "meeting", "sort_order": "0"},
        "photo",
        (Room,),
        _room_files,
    ),
    "admin_center_photo": Target(
        "superuser",
        lambda w: reverse("admin:centers_photo_add"),
        lambda w: {"center": w.center.pk, "caption": "门头", "sort_order": "0"},
        "image",
        (Photo,),
        _photo_files,
    ),
}


@pytest.fixture
def world(tree, community_worker):
    occurrence = ActivityFactory(center=tree.community, title="重阳节敬老宴").occurrences.get()
    starts_at = timezone.now() - timedelta(hours=3)
    type(occurrence).objects.filter(pk=occurrence.pk).update(
        starts_at=starts_at, original_start=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    superuser = UserFactory(name="系统管理员", is_superuser=True, is_staff=True)
    return SimpleNamespace(
        center=tree.community,
        past_occurrence=occurrence,
        clients={
            "worker": signed_in(community_worker),
            "visitor": signed_in(None),
            "superuser": signed_in(superuser),
        },
    )


def media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def post(world, target, upload):
    client = world.clients[target.who]
    return client.post(target.url(world), {**target.data(world), target.field: upload})


def assert_clean_jpeg(field_file, max_edge):
    assert field_file.name.endswith(".jpg")
    with field_file.open("rb") as f:
        raw = f.read()
    assert SCRIPT not in raw and b"<html" not in raw
    img = Image.open(io.BytesIO(raw))
    assert img.format == "JPEG" and img.mode == "RGB"
    assert max(img.size) <= max_edge
    assert not img.getexif()
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
        assert key not in img.info, key
    assert getattr(img, "n_frames", 1) == 1
    return img


@pytest.mark.parametrize("bad", BAD_FILES, ids=str)
@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_bad_file_is_refused_with_a_form_error_and_leaves_nothing(target, bad, world, settings):
    target, bad = TARGETS[target], BAD_FILES[bad]
    for name, value in bad.settings.items():
        setattr(settings, name, value)
    rows = {model: model.objects.count() for model in target.rows}
    files = media_files(settings)

    response = post(world, target, bad.upload())

    assert response.status_code == 200
    assert bad.error in response.content.decode()
    assert {model: model.objects.count() for model in target.rows} == rows
    assert media_files(settings) == files


@pytest.mark.parametrize("good", GOOD_FILES, ids=str)
@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_accepted_image_is_stored_as_a_clean_jpeg(target, good, world, settings):
    target, good = TARGETS[target], GOOD_FILES[good]

    response = post(world, target, good.upload())

    assert response.status_code == 302, response.content.decode()[:2000]
    [(image, thumbnail)] = target.stored(world)
    stored = assert_clean_jpeg(image, MAX_EDGE)
    assert_clean_jpeg(thumbnail, THUMB_EDGE)
    if good.check:
        good.check(stored)
    assert len(media_files(settings)) == 2


@pytest.mark.parametrize("bad_slot", ["photo2", "photo3"])
@pytest.mark.parametrize("target", ["activity_record_photo", "issue_photo"])
def test_one_bad_photo_among_good_ones_refuses_all_of_them(target, bad_slot, world, settings):
    target = TARGETS[target]
    data = {**target.data(world)}
    data.update({slot: GOOD_FILES["jpeg_with_gps_exif"].upload() for slot in ("photo1", "photo2")})
    data[bad_slot] = BAD_FILES["truncated_jpeg"].upload()
    rows = {model: model.objects.count() for model in target.rows}

    response = world.clients[target.who].post(target.url(world), data)

    assert response.status_code == 200
    assert BROKEN in response.content.decode()
    assert {model: model.objects.count() for model in target.rows} == rows
    assert media_files(settings) == []
