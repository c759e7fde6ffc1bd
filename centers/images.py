"""Uploaded photos: checked, re-encoded without metadata (EXIF/GPS) and thumbnailed once."""

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_EDGE = 2000
THUMB_EDGE = 480
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
#: What Pillow reports for a file it opened as one of ALLOWED_FORMATS: many phones and cameras
#: write JPEGs with a second, smaller picture (MPO); only the first one is kept.
ACCEPTED_FORMATS = ALLOWED_FORMATS | {"MPO"}
#: Pillow's decoders for anything else (EPS, PSD, TIFF, ICO, …) are never even tried.
OPENERS = sorted(ALLOWED_FORMATS)
#: 16-bit greyscale (a 16-bit PNG): a plain convert("RGB") would clip everything above 255 to white.
SIXTEEN_BIT_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile


def _to_jpeg(img, edge):
    img = img.copy()
    img.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    if img.mode in ("RGBA", "LA", "P", "PA"):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        img = background
    elif img.mode in SIXTEEN_BIT_MODES:
        img = img.convert("I").point(lambda v: v / 256).convert("RGB")
    elif img.mode != "RGB":
        img = img.convert("RGB")
    # Pillow writes a JPEG comment kept in `info` (where HTML hides in a polyglot); EXIF, XMP
    # and GPS are written only when passed to save(), which they are not.
    img.info = {}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def process_upload(upload):
    """Validate an uploaded image and return it re-encoded as JPEG with a thumbnail.

    Raises ValidationError for a file that is too large, not an image, truncated,
    or has more pixels than UPLOAD_MAX_PIXELS (a decompression bomb).
    """
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("文件太大（%(size)s），请上传不超过 %(max)s 的图片。")
            % {
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    too_many_pixels = ValidationError(
        _("图片尺寸过大，请上传不超过 %(mp)s 万像素的图片。")
        % {"mp": settings.UPLOAD_MAX_PIXELS // 10_000},
        code="too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=OPENERS) as probe:
                fmt = probe.format
                width, height = probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (OSError, ValueError, SyntaxError):
        fmt, width, height = None, 0, 0
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise too_many_pixels
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("无法识别该文件，请上传 JPG、PNG、GIF 或 WebP 格式的照片。"), code="not_an_image"
        )
    try:
        with Image.open(io.BytesIO(data), formats=OPENERS) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            full = _to_jpeg(img, MAX_EDGE)
            thumb = _to_jpeg(img, THUMB_EDGE)
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(
            _("图片文件已损坏或不完整，请重新上传。"), code="broken_image"
        ) from exc
    stem = PurePath(getattr(upload, "name", "") or "photo").stem[:40] or "photo"
    token = get_random_string(8).lower()
    return ProcessedImage(
        image=ContentFile(full, name=f"{token}-{stem}.jpg"),
        thumbnail=ContentFile(thumb, name=f"{token}-{stem}-thumb.jpg"),
    )
