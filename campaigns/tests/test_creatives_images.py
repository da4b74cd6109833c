"""Image upload on a creative's page: real images only, within the limit, with alt text, and
without location metadata."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from campaigns.models import CreativeStatus
from campaigns.tests.factories import CreativeFactory

pytestmark = pytest.mark.django_db

GPS = ExifTags.IFD.GPSInfo


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes(size=(60, 40), color="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def noise_png(size) -> bytes:
    """Random pixels do not compress: a PNG whose size in bytes is predictably large."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[GPS] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 40.0),
    }
    out = io.BytesIO()
    Image.new("RGB", (80, 40), "orange").save(out, "JPEG", exif=exif)
    return out.getvalue()


def edit_data(creative, **extra) -> dict:
    return {
        "caption": creative.caption, "hashtags": " ".join(creative.hashtags),
        "link": creative.link, "call_to_action": creative.call_to_action,
        "scheduled_at": creative.scheduled_at.strftime("%Y-%m-%dT%H:%M"),
        "image_alt": "A cup of coffee on a wooden table", "action": "save", **extra,
    }


def test_upload_accepts_a_real_png_and_stores_it(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    upload = SimpleUploadedFile("cup.png", png_bytes(), content_type="image/png")
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    edit_data(creative, image=upload))
    assert response.status_code == 302
    creative.refresh_from_db()
    assert creative.image.name.startswith("creatives/cup-") and creative.image.name.endswith(".png")
    assert creative.image_alt == "A cup of coffee on a wooden table"
    with Image.open(creative.image.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (60, 40))


def test_upload_refuses_a_text_file_named_png(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    upload = SimpleUploadedFile("cup.png", b"this is not an image at all\n", content_type="image/png")
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    edit_data(creative, image=upload))
    assert response.status_code == 400
    assert "not an image we can read" in response.content.decode()
    creative.refresh_from_db()
    assert not creative.image


def test_upload_refuses_an_image_over_the_size_limit(operator_client, settings):
    settings.CREATIVE_IMAGE_MAX_BYTES = 1000
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    data = noise_png((100, 100))
    assert len(data) > 1000
    upload = SimpleUploadedFile("big.png", data, content_type="image/png")
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    edit_data(creative, image=upload))
    assert response.status_code == 400
    assert "the limit is 1000" in response.content.decode()
    creative.refresh_from_db()
    assert not creative.image


def test_upload_strips_gps_exif_and_applies_the_orientation(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    original = Image.open(io.BytesIO(jpeg_with_gps(orientation=6)))
    assert original.getexif().get_ifd(GPS)  # the test image really carries a location
    upload = SimpleUploadedFile("holiday.jpg", jpeg_with_gps(orientation=6), content_type="image/jpeg")
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    edit_data(creative, image=upload))
    assert response.status_code == 302
    creative.refresh_from_db()
    with Image.open(creative.image.path) as stored:
        exif = stored.getexif()
        assert stored.format == "JPEG"
        assert not exif.get_ifd(GPS)
        assert GPS not in exif
        assert exif.get(ExifTags.Base.Orientation, 1) == 1
        assert stored.size == (40, 80)  # turned upright: orientation 6 is a quarter turn


def test_upload_requires_alt_text(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    upload = SimpleUploadedFile("cup.png", png_bytes(), content_type="image/png")
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    edit_data(creative, image=upload, image_alt="  "))
    assert response.status_code == 400
    assert "Describe the image for people who cannot see it." in response.content.decode()
    creative.refresh_from_db()
    assert not creative.image


def test_upload_refuses_an_image_over_blueskys_own_limit(operator_client, settings):
    settings.CREATIVE_IMAGE_MAX_BYTES = 50 * 1024 * 1024
    creative = CreativeFactory(status=CreativeStatus.DRAFT, platform="bluesky", link="",
                               hashtags=[])
    data = noise_png((900, 900))
    assert len(data) > 2_000_000
    upload = SimpleUploadedFile("noise.png", data, content_type="image/png")
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    edit_data(creative, image=upload))
    assert response.status_code == 400
    assert "Bluesky takes images of at most" in response.content.decode()
