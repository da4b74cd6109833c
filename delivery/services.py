"""Writes: making a report PDF or a delivery bundle and recording it in the delivery log."""

from __future__ import annotations

import hashlib
import tempfile
from typing import BinaryIO

from django.core.files import File
from django.db import transaction

from campaigns.models import Campaign
from delivery import bundles, reports
from delivery.models import DeliveryKind, DeliveryRecord

HASH_CHUNK = 1024 * 1024


def file_sha256(handle: BinaryIO) -> tuple[str, int]:
    """(hex SHA-256, size in bytes) of a binary file, read from its start in chunks."""
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def delivery_record_create(
    *, kind: str, campaign: Campaign | None, filename: str, source: BinaryIO, user=None
) -> DeliveryRecord:
    """Stores the file and its log entry: who, when, which campaign, size and SHA-256."""
    sha256, size = file_sha256(source)
    record = DeliveryRecord(
        kind=kind, campaign=campaign, filename=filename, size=size, sha256=sha256,
        created_by=user,
    )
    record.file.save(filename, File(source, name=filename), save=False)
    record.full_clean()
    record.save()
    return record


def delivery_report_make(*, campaign: Campaign, user=None) -> DeliveryRecord:
    """Renders the campaign report as PDF and records it."""
    pdf = reports.report_pdf(campaign)  # rendered outside the transaction: it takes a while
    with tempfile.TemporaryFile() as spool:
        spool.write(pdf)
        return delivery_record_create(
            kind=DeliveryKind.REPORT_PDF, campaign=campaign,
            filename=reports.report_filename(campaign, "pdf"), source=spool, user=user,
        )


def delivery_bundle_make(*, campaign: Campaign, user=None) -> DeliveryRecord:
    """Writes the ZIP bundle to a temporary file (never whole in memory) and records it."""
    with tempfile.TemporaryFile() as spool:
        bundles.write_bundle(campaign, spool)
        return delivery_record_create(
            kind=DeliveryKind.BUNDLE, campaign=campaign,
            filename=bundles.bundle_filename(campaign), source=spool, user=user,
        )
