"""Upload checks for every file people attach (portfolio achievements and photos, homework):
the real type is read from the content (magic bytes, Pillow for images), never from the name
or the browser's word; sizes and types are settings (settings.SHKOLA["UPLOAD_*"]); images
get a thumbnail for the page."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Content types accepted unless settings.SHKOLA["UPLOAD_ALLOWED_TYPES"] says otherwise.
DEFAULT_ALLOWED_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/msword",
    "video/mp4",
    "audio/mpeg",
    "text/plain",
)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
PILLOW_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
ZIP_TYPES_BY_EXT = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
THUMB_SIZE = (480, 360)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, "SHKOLA", {}).get(name, default))


def max_file_bytes() -> int:
    return _limit("UPLOAD_MAX_FILE_MB", 10) * 1024 * 1024


def max_total_bytes() -> int:
    return _limit("UPLOAD_MAX_TOTAL_MB", 50) * 1024 * 1024


def allowed_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "SHKOLA", {}).get("UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES))


def sniff(head: bytes, name: str) -> str | None:
    """The content type the bytes say, or None when they say nothing we know."""
    ext = os.path.splitext(name)[1].lower()
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return ZIP_TYPES_BY_EXT.get(ext, "application/zip")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "audio/mpeg"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A cut in the middle of a multi-byte character is still text.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return "text/plain"
    return None


@dataclass
class CheckedFile:
    upload: UploadedFile
    name: str
    size: int
    content_type: str
    is_image: bool
    thumbnail: ContentFile | None


def check_upload(upload: UploadedFile, *, field: str, image_only: bool = False) -> CheckedFile:
    """Validate one upload; raise ValidationError naming the field and the file."""
    name = os.path.basename(upload.name or "file")
    size = upload.size or 0
    if size == 0:
        raise ValidationError({field: _("Файл «%(name)s» пустой.") % {"name": name}})
    if size > max_file_bytes():
        raise ValidationError(
            {
                field: _("Файл «%(name)s» больше %(mb)s МБ.")
                % {"name": name, "mb": max_file_bytes() // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff(head, name)
    ext = os.path.splitext(name)[1].lower()
    if content_type is None or content_type not in allowed_types():
        raise ValidationError(
            {field: _("Тип файла «%(name)s» не поддерживается.") % {"name": name}}
        )
    if ext in IMAGE_EXTENSIONS and content_type not in IMAGE_TYPES:
        raise ValidationError(
            {
                field: _("Файл «%(name)s» назван как картинка, но картинкой не является.")
                % {"name": name}
            }
        )
    is_image = content_type in IMAGE_TYPES
    if image_only and not is_image:
        raise ValidationError(
            {field: _("«%(name)s»: нужна картинка (JPEG, PNG, GIF или WEBP).") % {"name": name}}
        )
    thumbnail = None
    if is_image:
        thumbnail, real_type = _verify_and_thumbnail(upload, name=name, field=field)
        content_type = real_type
    return CheckedFile(upload, name, size, content_type, is_image, thumbnail)


def _verify_and_thumbnail(
    upload: UploadedFile, *, name: str, field: str
) -> tuple[ContentFile, str]:
    broken = ValidationError({field: _("Картинка «%(name)s» повреждена.") % {"name": name}})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            if opened.width * opened.height > 60_000_000:
                raise broken
            image = opened.convert("RGB")
            image.thumbnail(THUMB_SIZE)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise broken from exc
    finally:
        upload.seek(0)
    real = PILLOW_FORMATS.get(fmt or "")
    if real is None:
        raise broken
    stem = os.path.splitext(name)[0] or "image"
    return ContentFile(out.getvalue(), name=f"{stem}-thumb.jpg"), real
