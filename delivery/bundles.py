"""The delivery bundle: one ZIP with the PDF report, the approved creatives (captions as text,
images as uploaded) and the campaign's data as CSV, written straight to a file."""

from __future__ import annotations

import os
import zipfile
from typing import BinaryIO

from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Campaign, CreativeStatus
from delivery import exports, reports

# The CSV exports a client gets, each filtered to the campaign.
BUNDLE_EXPORTS = ("campaigns", "creatives", "publications", "metrics", "leads")


def bundle_filename(campaign: Campaign) -> str:
    return f"aicmo-bundle-{campaign.slug[:100]}-{timezone.localdate().isoformat()}.zip"


def _creative_stem(creative) -> str:
    day = timezone.localtime(creative.scheduled_at).date().isoformat()
    return f"creatives/{day}-{slugify(creative.platform)}-{creative.pk}"


def _caption_text(creative) -> str:
    lines = [creative.full_text(), ""]
    if creative.call_to_action:
        lines.append(f"Call to action: {creative.call_to_action}")
    if creative.image_alt:
        lines.append(f"Image alt text: {creative.image_alt}")
    return "\n".join(lines).rstrip() + "\n"


def _approved_creatives(campaign: Campaign):
    return campaign.creatives.filter(status=CreativeStatus.APPROVED).order_by("scheduled_at", "pk")


def write_bundle(campaign: Campaign, target: BinaryIO) -> list[str]:
    """Writes the ZIP to `target`; returns the names written. CSVs stream row chunk by chunk."""
    written = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        name = f"report/{reports.report_filename(campaign, 'pdf')}"
        archive.writestr(name, reports.report_pdf(campaign))
        written.append(name)
        for creative in _approved_creatives(campaign):
            stem = _creative_stem(creative)
            archive.writestr(f"{stem}.txt", _caption_text(creative).encode("utf-8"))
            written.append(f"{stem}.txt")
            if creative.image:
                name = stem + os.path.splitext(creative.image.name)[1].lower()
                try:
                    with creative.image.open("rb") as source, archive.open(name, "w") as sink:
                        for chunk in iter(lambda source=source: source.read(64 * 1024), b""):
                            sink.write(chunk)
                except FileNotFoundError:
                    continue  # an image lost from storage: its caption still goes
                written.append(name)
        for slug in BUNDLE_EXPORTS:
            kind = exports.EXPORTS[slug]
            name = f"data/{slug}.csv"
            with archive.open(name, "w") as sink:
                for chunk in exports.csv_chunks(kind, {"campaign": str(campaign.pk)}):
                    sink.write(chunk.encode("utf-8"))
            written.append(name)
    return written
