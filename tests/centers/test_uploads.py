"""Photo uploads through the console: real files, re-encoded, EXIF (GPS) stripped."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from centers.models import Photo, Room

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(800, 600)):
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 49.0, 12.0)
    gps[3] = "E"
    gps[4] = (111.0, 41.0, 30.0)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size):
    out = io.BytesIO()
    Image.new("P", size).save(out, format="PNG", optimize=True)
    return out.getvalue()


def post_photo(client, content, name, caption="活动照片"):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(
        reverse("manage:content_add", args=["chuangye", "photos"]),
        {"image": upload, "caption": caption, "sort_order": "0"},
    )


def test_jpeg_with_gps_exif_is_stored_without_it(client, community_worker):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    client.force_login(community_worker)
    response = post_photo(client, raw, "活动.jpg")
    assert response.status_code == 302
    photo = Photo.objects.get()
    with photo.image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert stored.size == (800, 600)
    with photo.thumbnail.open("rb") as f:
        thumb = Image.open(io.BytesIO(f.read()))
        assert max(thumb.size) == 480
        assert not thumb.getexif()


def test_text_file_renamed_jpg_gets_a_clear_form_error(client, community_worker):
    client.force_login(community_worker)
    response = post_photo(client, b"this is not an image, just text\n" * 20, "notes.jpg")
    assert response.status_code == 200
    assert "无法识别该文件" in response.content.decode()
    assert not Photo.objects.exists()


def test_20000_by_20000_png_is_refused_as_too_large(client, community_worker):
    data = png_bytes((20000, 20000))
    assert len(data) < 2_000_000  # small on disk, huge in memory: a decompression bomb
    client.force_login(community_worker)
    response = post_photo(client, data, "huge.png")
    assert response.status_code == 200
    assert "图片尺寸过大" in response.content.decode()
    assert not Photo.objects.exists()


def test_truncated_image_gets_a_clear_form_error(client, community_worker):
    client.force_login(community_worker)
    response = post_photo(client, jpeg_with_gps()[:400], "broken.jpg")
    assert response.status_code == 200
    assert not Photo.objects.exists()
    assert "form-errors" in response.content.decode()


def test_file_over_the_size_cap_is_refused(client, community_worker, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    client.force_login(community_worker)
    response = post_photo(client, jpeg_with_gps((1600, 1200)) + b"\0" * 20_000, "big.jpg")
    assert response.status_code == 200
    assert "文件太大" in response.content.decode()


def test_large_photo_is_scaled_down_and_png_transparency_flattened(client, community_worker):
    out = io.BytesIO()
    Image.new("RGBA", (3000, 1500), (0, 0, 0, 0)).save(out, format="PNG")
    client.force_login(community_worker)
    assert post_photo(client, out.getvalue(), "wide.png").status_code == 302
    with Photo.objects.get().image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert stored.size == (2000, 1000)
        assert stored.mode == "RGB"


def test_room_photo_can_be_added_and_cleared(client, community_worker, tree):
    client.force_login(community_worker)
    add = reverse("manage:content_add", args=["chuangye", "rooms"])
    upload = SimpleUploadedFile("room.jpg", jpeg_with_gps(), content_type="image/jpeg")
    data = {"name": "阅览室", "kind": "reading", "sort_order": "0"}
    assert client.post(add, {**data, "photo": upload}).status_code == 302
    room = Room.objects.get()
    assert room.photo and room.thumbnail
    page = client.get(reverse("centers:detail", args=["chuangye"])).content.decode()
    assert room.thumbnail.url in page
    edit = reverse("manage:content_edit", args=["chuangye", "rooms", room.pk])
    assert client.post(edit, {**data, "photo-clear": "on"}).status_code == 302
    room.refresh_from_db()
    assert not room.photo and not room.thumbnail
