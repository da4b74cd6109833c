"""Every write to leads: adding and updating leads, status changes, notes, routing, scoring
rules and CSV imports.

WHICH VALUES WIN when a lead with a known email comes in again (add-a-lead form, public form,
CSV import, `import_leads`):

* name, phone, company, company size, job title, website: the incoming value wins when it is
  not blank; a blank never erases what is stored.
* status: the incoming status is applied only while the stored lead is still NEW; a lead an
  operator has moved along the pipeline is never moved back by an import or a form.
* notes: the incoming notes are appended to the stored ones.
* email, source, campaign, creative, owner, score and created time: the stored values stay.
* consent: given consent is recorded (with its time); an import never withdraws it.

Inside one file, repeats of an email are merged first: later rows' non-blank values win.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from leads import importing
from leads.importing import ImportFileError, ValidatedFile
from leads.models import ActivityKind, ImportJob, ImportStatus, Lead, LeadActivity, LeadTaker
from leads.scoring import leads_rescore
from leads.statuses import LeadStatus, normalise_status

logger = logging.getLogger(__name__)

CONTACT_FIELDS = ("name", "phone", "company", "company_size", "title", "website")


def _merge_into(lead: Lead, values: dict, status: str | None, notes: list[str]) -> None:
    """Applies the documented which-fields-win rule to a stored lead (in memory)."""
    for name in CONTACT_FIELDS:
        value = values.get(name)
        if value not in (None, ""):
            setattr(lead, name, value)
    if status and lead.status == LeadStatus.NEW:
        lead.status = status
    extra = "\n".join(note for note in notes if note)
    if extra:
        lead.notes = f"{lead.notes}\n{extra}" if lead.notes else extra


def _find_by_email(email: str, *, lock: bool = False) -> Lead | None:
    queryset = Lead.objects.alias(email_lower=Lower("email")).filter(email_lower=email.lower())
    if lock:
        queryset = queryset.select_for_update()
    return queryset.first()


@transaction.atomic
def lead_upsert(
    *,
    email: str,
    values: dict,
    source: str,
    actor: AbstractBaseUser | None = None,
    status: str = "",
    notes: str = "",
    consent: bool = False,
    campaign=None,
    creative=None,
    utm: dict[str, str] | None = None,
    updated_note: str = "Details updated.",
) -> tuple[Lead, bool]:
    """Creates the lead, or updates the one with this email (any case); returns (lead, created).

    The status goes through normalisation: an unknown value becomes MANUAL_REVIEW and the
    original is kept in the notes. Safe against a concurrent insert of the same email.
    """
    canonical, known = normalise_status(status)
    note_lines = [notes.strip()] if notes.strip() else []
    if not known:
        note_lines.append(f"Status “{status.strip()}” was not recognised; needs review.")
    now = timezone.now()
    actor = actor if actor is not None and actor.is_authenticated else None
    existing = _find_by_email(email, lock=True)
    if existing is None:
        lead = Lead(
            email=email.strip().lower(), source=source, status=canonical,
            notes="\n".join(note_lines), campaign=campaign, creative=creative,
            consent=consent, consent_at=now if consent else None,
            **{name: values[name] for name in CONTACT_FIELDS if values.get(name) not in (None, "")},
            **{f"utm_{key}": value for key, value in (utm or {}).items()},
        )
        lead.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                lead.save()
        except IntegrityError:
            # Someone inserted the same email meanwhile: update theirs instead.
            existing = _find_by_email(email, lock=True)
            if existing is None:
                raise
        else:
            LeadActivity.objects.create(
                lead=lead, kind=ActivityKind.CREATED, to_status=lead.status, actor=actor,
                note=f"Added ({source}).",
            )
            leads_rescore([lead.pk])
            lead.refresh_from_db(fields=["score"])
            return lead, True
    lead = existing
    before = lead.status
    _merge_into(lead, values, canonical if status.strip() else None, note_lines)
    if consent and not lead.consent:
        lead.consent, lead.consent_at = True, now
    if campaign is not None and lead.campaign_id is None:
        lead.campaign = campaign
    if creative is not None and lead.creative_id is None:
        lead.creative = creative
    for key, value in (utm or {}).items():
        if value and not getattr(lead, f"utm_{key}"):
            setattr(lead, f"utm_{key}", value)
    lead.last_activity_at = now
    lead.save()
    LeadActivity.objects.create(
        lead=lead, kind=ActivityKind.TOUCH, from_status=before, to_status=lead.status,
        actor=actor, note=updated_note,
    )
    leads_rescore([lead.pk])
    lead.refresh_from_db(fields=["score"])
    return lead, False


@transaction.atomic
def lead_change_status(
    *, lead: Lead, status: str, actor: AbstractBaseUser | None, note: str = ""
) -> Lead:
    """Moves a lead to a status (normalised; unknown → MANUAL_REVIEW with the original noted)."""
    canonical, known = normalise_status(status, default=lead.status)
    lines = [note.strip()] if note.strip() else []
    if not known:
        lines.append(f"Status “{status.strip()}” was not recognised; needs review.")
    if canonical == lead.status and not lines:
        return lead
    before = lead.status
    lead.status = canonical
    lead.last_activity_at = timezone.now()
    lead.save(update_fields=["status", "last_activity_at", "updated_at"])
    LeadActivity.objects.create(
        lead=lead, kind=ActivityKind.STATUS, from_status=before, to_status=canonical,
        note="\n".join(lines), actor=actor,
    )
    leads_rescore([lead.pk])
    lead.refresh_from_db(fields=["score"])
    return lead


@transaction.atomic
def lead_log(*, lead: Lead, kind: str, note: str, actor: AbstractBaseUser | None) -> LeadActivity:
    """Records a note or a touch (a call, an email, a meeting) on the lead's timeline."""
    if kind not in (ActivityKind.NOTE, ActivityKind.TOUCH):
        raise ValueError(f"Cannot log a {kind!r} by hand.")
    lead.last_activity_at = timezone.now()
    lead.save(update_fields=["last_activity_at", "updated_at"])
    activity = LeadActivity.objects.create(lead=lead, kind=kind, note=note.strip(), actor=actor)
    leads_rescore([lead.pk])
    return activity


@transaction.atomic
def lead_assign(*, lead: Lead, owner: AbstractBaseUser | None, actor: AbstractBaseUser) -> Lead:
    if lead.owner_id == (owner.pk if owner else None):
        return lead
    lead.owner = owner
    lead.save(update_fields=["owner", "updated_at"])
    LeadActivity.objects.create(
        lead=lead, kind=ActivityKind.NOTE, actor=actor,
        note=f"Owner set to {owner.get_username()}." if owner else "Owner removed.",
    )
    return lead


@transaction.atomic
def leads_bulk_set_status(*, lead_ids: list[int], status: str, actor: AbstractBaseUser) -> int:
    """Moves many leads at once: a constant number of queries, one activity per lead moved."""
    canonical, known = normalise_status(status)
    note = "" if known else f"Status “{status.strip()}” was not recognised; needs review."
    current = dict(
        Lead.objects.select_for_update().filter(pk__in=lead_ids).exclude(status=canonical)
        .values_list("pk", "status")
    )
    if not current:
        return 0
    now = timezone.now()
    Lead.objects.filter(pk__in=current).update(status=canonical, last_activity_at=now, updated_at=now)
    LeadActivity.objects.bulk_create(
        LeadActivity(lead_id=pk, kind=ActivityKind.STATUS, from_status=before,
                     to_status=canonical, note=note, actor=actor)
        for pk, before in current.items()
    )
    leads_rescore(list(current))
    return len(current)


@transaction.atomic
def leads_bulk_assign(
    *, lead_ids: list[int], owner: AbstractBaseUser | None, actor: AbstractBaseUser
) -> int:
    owner_id = owner.pk if owner else None
    ids = list(
        Lead.objects.filter(pk__in=lead_ids).exclude(owner_id=owner_id).values_list("pk", flat=True)
    ) if owner_id else list(
        Lead.objects.filter(pk__in=lead_ids, owner__isnull=False).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Lead.objects.filter(pk__in=ids).update(owner_id=owner_id, updated_at=timezone.now())
    note = f"Owner set to {owner.get_username()}." if owner else "Owner removed."
    LeadActivity.objects.bulk_create(
        LeadActivity(lead_id=pk, kind=ActivityKind.NOTE, note=note, actor=actor) for pk in ids
    )
    return len(ids)


def lead_takers():
    """Operators who take leads, in round-robin order: the longest without a lead first.

    A user takes leads when they have a LeadTaker row with `accepting` on, are active and are in
    the Operator group.
    """
    return (
        LeadTaker.objects.filter(accepting=True, user__is_active=True, user__groups__name="Operator")
        .select_related("user")
        .order_by(F("last_assigned_at").asc(nulls_first=True), "user_id")
    )


@transaction.atomic
def lead_taker_set(*, user: AbstractBaseUser, accepting: bool) -> LeadTaker:
    taker, _ = LeadTaker.objects.update_or_create(user=user, defaults={"accepting": accepting})
    return taker


@transaction.atomic
def leads_route_qualified(*, threshold: int, actor: AbstractBaseUser | None) -> dict[str, int]:
    """Hands QUALIFIED leads scoring at least `threshold` to the lead takers in turn.

    The best lead goes to whoever has waited longest; each routed lead becomes ROUTED with an
    owner and a ROUTED activity. Returns {username: leads given}; empty when nobody takes leads.
    """
    takers = list(lead_takers().select_for_update(of=("self",)))
    if not takers:
        return {}
    ids = list(
        Lead.objects.select_for_update()
        .filter(status=LeadStatus.QUALIFIED, score__gte=threshold)
        .order_by("-score", "created_at", "pk")
        .values_list("pk", flat=True)
    )
    given: dict[int, list[int]] = {}
    for position, pk in enumerate(ids):
        given.setdefault(position % len(takers), []).append(pk)
    now = timezone.now()
    activities = []
    for index, lead_ids in given.items():
        user = takers[index].user
        Lead.objects.filter(pk__in=lead_ids).update(
            owner=user, status=LeadStatus.ROUTED, last_activity_at=now, updated_at=now
        )
        activities += [
            LeadActivity(lead_id=pk, kind=ActivityKind.ROUTED, from_status=LeadStatus.QUALIFIED,
                         to_status=LeadStatus.ROUTED, actor=actor,
                         note=f"Routed to {user.get_username()} (score ≥ {threshold}).")
            for pk in lead_ids
        ]
    LeadActivity.objects.bulk_create(activities)
    # The next run carries on after whoever received the last lead of this one.
    for position in range(len(ids)):
        takers[position % len(takers)].last_assigned_at = now + timedelta(microseconds=position)
    LeadTaker.objects.bulk_update([t for t in takers if t.last_assigned_at], ["last_assigned_at"])
    if ids:
        leads_rescore(ids)
    return {takers[index].user.get_username(): len(pks) for index, pks in given.items()}


@transaction.atomic
def scoring_rule_save(*, rule, actor: AbstractBaseUser | None):
    """Saves a rule and recomputes every score in one UPDATE."""
    if rule.pk is None and actor is not None:
        rule.created_by = actor
    rule.full_clean()
    rule.save()
    leads_rescore()
    return rule


@transaction.atomic
def scoring_rule_delete(*, rule) -> None:
    rule.delete()
    leads_rescore()


# --- CSV imports -----------------------------------------------------------------------------


def import_job_create(
    *, upload, actor: AbstractBaseUser | None, source: str = "csv_import", count_rows: bool = True
) -> ImportJob:
    """Stores an upload and reads its header; raises ImportFileError when it is not a CSV.

    `count_rows=False` reads only the first rows (the job counts them when it runs).
    """
    raw = upload.read()
    parsed = importing.parse(raw, limit=None if count_rows else importing.PREVIEW_ROWS)
    if not parsed.rows:
        raise ImportFileError("The file has a header but no rows.")
    upload.seek(0)
    job = ImportJob(
        original_name=(getattr(upload, "name", "") or "upload.csv")[:255],
        encoding=parsed.encoding, delimiter=parsed.delimiter, headers=parsed.headers,
        mapping=importing.guess_mapping(parsed.headers),
        total_rows=len(parsed.rows) if count_rows else 0,
        source=source, created_by=actor,
    )
    job.file.save(job.original_name, upload, save=False)
    job.save()
    return job


def import_job_start(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Queues a previewed job with its mapping; the Tasks backend runs it (inline by default)."""
    from leads.tasks import run_import_job

    importing.check_mapping(mapping, len(job.headers))
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEW).update(
        mapping=mapping, status=ImportStatus.QUEUED
    )
    if updated:
        result = run_import_job.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=result.id[:64])
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Runs one import from its ImportJob row and stored file (what a worker calls).

    Rows are validated in Python first (progress is saved as it goes), then written in ONE
    transaction per job: a failure anywhere leaves no lead of the file written and marks the
    job failed with the reason.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), processed_rows=0
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        with job.file.open("rb") as handle:
            parsed = importing.parse(handle.read())
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(parsed.rows))

        def progress(done: int) -> None:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)

        validated = importing.validate(parsed, job.mapping, progress=progress)
        with transaction.atomic():
            written_from = timezone.now()
            created, updated = leads_write(
                validated, source=job.source, actor=job.created_by,
                note=f"Imported from {job.original_name} (import #{job.pk}).",
            )
            # Only the leads this import wrote: rescoring every lead made a 100,000-row import
            # rewrite the whole table (docs/PERFORMANCE.md).
            leads_rescore(updated_since=written_from)
    except Exception as exc:
        # A file we cannot read is the user's to fix; anything else is logged in full too.
        if not isinstance(exc, ImportFileError):
            logger.exception("Import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error=f"Nothing was imported: {exc}" if isinstance(exc, ImportFileError)
            else f"Nothing was imported: the import failed ({type(exc).__name__}: {exc}).",
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, finished_at=timezone.now(),
            processed_rows=validated.total, created_count=created, updated_count=updated,
            merged_count=validated.merged, rejected_count=len(validated.rejected),
            rejected_rows=[row.as_dict() for row in validated.rejected],
        )
    job.refresh_from_db()
    return job


def leads_existing_count(emails: list[str]) -> int:
    """How many of these (lower-case) emails are already leads: the dry run's 'updated'."""
    found = 0
    for start in range(0, len(emails), 5000):
        chunk = emails[start : start + 5000]
        found += Lead.objects.alias(email_lower=Lower("email")).filter(
            email_lower__in=chunk
        ).count()
    return found


def leads_write(
    validated: ValidatedFile, *, source: str, actor: AbstractBaseUser | None, note: str
) -> tuple[int, int]:
    """Writes validated leads with set-based SQL; returns (created, updated). Call inside a
    transaction. PostgreSQL: COPY into a temporary table, one UPDATE of the known leads (with
    an IMPORT activity on each) and one INSERT of the new ones. Other databases: bulk_create
    and bulk_update. A lead an import creates gets no activity row: its source, its creation
    time and the ImportJob say where it came from (and 100,000 extra rows would halve the
    speed of a large import)."""
    if not validated.leads:
        return 0, 0
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        return _write_postgresql(validated, source=source, actor_id=actor_id, note=note)
    return _write_generic(validated, source=source, actor_id=actor_id, note=note)


# Known emails first: one UPDATE joined on the case-insensitive unique index, logging an
# activity on each lead it touches. The which-fields-win rule is the module docstring's.
_PG_UPDATE = """
WITH updated AS (
    UPDATE leads_lead AS l SET
        name = COALESCE(NULLIF(t.name, ''), l.name),
        phone = COALESCE(NULLIF(t.phone, ''), l.phone),
        company = COALESCE(NULLIF(t.company, ''), l.company),
        company_size = COALESCE(t.company_size, l.company_size),
        title = COALESCE(NULLIF(t.title, ''), l.title),
        website = COALESCE(NULLIF(t.website, ''), l.website),
        status = CASE WHEN l.status = 'NEW' THEN t.status ELSE l.status END,
        notes = CASE WHEN t.notes = '' THEN l.notes
                     WHEN l.notes = '' THEN t.notes
                     ELSE l.notes || E'\\n' || t.notes END,
        updated_at = %(now)s
    FROM leads_import_rows AS t
    WHERE lower(l.email) = t.email
    RETURNING l.id, l.status
), logged AS (
    INSERT INTO leads_leadactivity (lead_id, kind, from_status, to_status, note, actor_id, created_at)
    SELECT id, 'import', '', status, %(note)s, %(actor)s, %(now)s FROM updated
)
SELECT count(*) FROM updated
"""

# Then every other row is a new lead: a plain INSERT … SELECT, as fast as COPY into the table.
_PG_INSERT = """
INSERT INTO leads_lead (
    email, name, phone, company, company_size, title, website, source, status, score,
    consent, notes, utm_source, utm_campaign, utm_content, created_at, updated_at
)
SELECT t.email, t.name, t.phone, t.company, t.company_size, t.title, t.website, %(source)s,
       t.status, 0, false, t.notes, '', '', '', %(now)s, %(now)s
FROM leads_import_rows AS t
WHERE NOT EXISTS (SELECT 1 FROM leads_lead AS l WHERE lower(l.email) = t.email)
"""


def _write_postgresql(validated: ValidatedFile, *, source, actor_id, note) -> tuple[int, int]:
    """COPY the clean rows into a temporary table, then UPDATE the known leads and INSERT the
    new ones. The table is locked against other writers (readers go on) for these few
    statements, so an email inserted meanwhile by a web form cannot slip between them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerows(
        [
            lead.email, values.get("name", ""), values.get("phone", ""),
            values.get("company", ""), values.get("company_size", ""), values.get("title", ""),
            values.get("website", ""), values.get("status") or LeadStatus.NEW,
            "\n".join(lead.notes),
        ]
        for lead in validated.leads
        for values in (lead.values,)
    )
    buffer.seek(0)
    params = {"source": source, "now": timezone.now(), "note": note, "actor": actor_id}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS leads_import_rows")
        cursor.execute(
            "CREATE TEMPORARY TABLE leads_import_rows (email text, name text, phone text, "
            "company text, company_size integer, title text, website text, status text, "
            "notes text)"
        )
        cursor.cursor.copy_expert(
            "COPY leads_import_rows FROM STDIN WITH (FORMAT csv, FORCE_NULL (company_size))",
            buffer, size=1 << 20,
        )
        cursor.execute("ANALYZE leads_import_rows")
        cursor.execute("LOCK TABLE leads_lead IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(_PG_UPDATE, params)
        (updated,) = cursor.fetchone()
        cursor.execute(_PG_INSERT, params)
        created = cursor.rowcount
        cursor.execute("DROP TABLE leads_import_rows")
    return created, updated


def _write_generic(validated: ValidatedFile, *, source, actor_id, note) -> tuple[int, int]:
    now = timezone.now()
    existing: dict[str, Lead] = {}
    emails = [lead.email for lead in validated.leads]
    for start in range(0, len(emails), 500):
        for lead in Lead.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails[start : start + 500]
        ):
            existing[lead.email_lower] = lead
    new, changed = [], []
    for clean in validated.leads:
        lead = existing.get(clean.email)
        if lead is None:
            new.append(Lead(
                email=clean.email, source=source,
                status=clean.values.get("status") or LeadStatus.NEW,
                notes="\n".join(clean.notes), created_at=now, updated_at=now,
                **{name: clean.values[name] for name in CONTACT_FIELDS if name in clean.values},
            ))
        else:
            _merge_into(lead, clean.values, clean.values.get("status"), clean.notes)
            lead.updated_at = now
            changed.append(lead)
    Lead.objects.bulk_create(new, batch_size=500)
    Lead.objects.bulk_update(
        changed, [*CONTACT_FIELDS, "status", "notes", "updated_at"], batch_size=500
    )
    LeadActivity.objects.bulk_create(
        (LeadActivity(lead_id=lead.pk, kind=ActivityKind.IMPORT, to_status=lead.status,
                      note=note, actor_id=actor_id) for lead in changed),
        batch_size=500,
    )
    return len(new), len(changed)
