"""Validation of uploaded creative images: real images only, within a size limit, re-encoded so
no location (or any other EXIF) metadata survives, with the camera's orientation applied."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import get_random_string
from PIL import Image, ImageOps, UnidentifiedImageError

from campaigns.publishing.platforms import Platform

# Pillow format → file extension; what the platforms take for feed images.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Refuse images so large in pixels that decoding them is itself the attack.
MAX_PIXELS = 40_000_000


def max_bytes() -> int:
    return int(getattr(settings, "CREATIVE_IMAGE_MAX_BYTES", 5 * 1024 * 1024))


def _decode(data: bytes) -> Image.Image:
    """Opens and fully decodes the bytes; ValidationError when they are not an image we take."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            probe.verify()  # checks the structure; the image must be reopened afterwards
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    f"The image is {image.width}×{image.height} pixels; the most we take is "
                    f"{MAX_PIXELS // 1_000_000} megapixels."
                )
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "That file is not an image we can read (JPEG, PNG, GIF or WebP)."
        ) from exc
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            f"{image.format or 'That'} images are not accepted; upload a JPEG, PNG, GIF or WebP."
        )
    return image


def _reencode(image: Image.Image) -> bytes:
    """Writes the pixels afresh: EXIF (GPS included), XMP and comments are not copied; the EXIF
    orientation is applied to the pixels first so the picture still stands the right way up."""
    image_format = image.format
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if image_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, optimize=True)
    elif image_format == "PNG":
        upright.save(out, "PNG", optimize=True)
    elif image_format == "GIF":
        upright.save(out, "GIF")
    else:
        upright.save(out, "WEBP", quality=90)
    return out.getvalue()


def clean_creative_image(upload, platform: Platform | None = None) -> ContentFile:
    """The upload as a safe image file to store, or ValidationError saying what is wrong."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"The image is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
        )
    upload.seek(0)
    data = upload.read()
    image = _decode(data)
    extension = ACCEPTED_FORMATS[image.format]
    clean = _reencode(image)
    if platform is not None and platform.image_max_bytes and len(clean) > platform.image_max_bytes:
        raise ValidationError(
            f"{platform.name} takes images of at most {filesizeformat(platform.image_max_bytes)}; "
            f"this one is {filesizeformat(len(clean))}."
        )
    stem = Path(getattr(upload, "name", "") or "image").stem[:40] or "image"
    return ContentFile(clean, name=f"{stem}-{get_random_string(6).lower()}.{extension}")
