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
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leads import importing
from leads.importing import ImportFileError, ValidatedFile
from leads.models import (
    ActivityKind,
    ImportJob,
    ImportLeadChange,
    ImportStatus,
    Lead,
    LeadActivity,
    LeadTaker,
)
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
        # Through job_enqueue: the background job is recorded with who started it and the file.
        from jobs.services import job_enqueue

        background = job_enqueue(task=run_import_job, args=[job.pk], started_by=job.created_by,
                                 label=f"Import {job.original_name}")
        ImportJob.objects.filter(pk=job.pk, task_id="").update(
            task_id=background.task_result_id[:64])
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
            written_at = timezone.now()
            created, updated = leads_write(
                validated, source=job.source, actor=job.created_by,
                note=f"Imported from {job.original_name} (import #{job.pk}).",
                job_id=job.pk, now=written_at,
            )
            # Only the leads this import wrote (their updated_at is written_at): rescoring every
            # lead made a 100,000-row import rewrite the whole table (docs/PERFORMANCE.md).
            leads_rescore(updated_since=written_at)
            ImportJob.objects.filter(pk=job.pk).update(written_at=written_at)
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
    validated: ValidatedFile, *, source: str, actor: AbstractBaseUser | None, note: str,
    job_id: int | None = None, now=None,
) -> tuple[int, int]:
    """Writes validated leads with set-based SQL; returns (created, updated). Call inside a
    transaction. PostgreSQL: COPY into a temporary table, one UPDATE of the known leads (with
    an IMPORT activity on each) and one INSERT of the new ones. Other databases: bulk_create
    and bulk_update. A lead an import creates gets no activity row: its source, its creation
    time and the ImportJob say where it came from (and 100,000 extra rows would halve the
    speed of a large import).

    With `job_id`, what the import does to each lead is recorded as an ImportLeadChange (the
    lead it created, or the values it replaced), in the same set-based statements, so the
    import can be undone. Every lead written is stamped with `now` (its updated_at).

    UTM columns link a lead to the campaign whose slug is `utm_campaign` and to the creative
    whose id is `utm_content` when that creative belongs to that campaign; like the public
    form, they fill only what the stored lead does not have yet."""
    if not validated.leads:
        return 0, 0
    actor_id = actor.pk if actor is not None else None
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return _write_postgresql(
            validated, source=source, actor_id=actor_id, note=note, job_id=job_id, now=now
        )
    return _write_generic(
        validated, source=source, actor_id=actor_id, note=note, job_id=job_id, now=now
    )


# The values an undo puts back, as they were before the import's UPDATE.
UNDO_FIELDS = (
    *CONTACT_FIELDS, "status", "notes", "utm_source", "utm_campaign", "utm_content",
    "campaign_id", "creative_id",
)

# Before the UPDATE: the previous values of every known lead the file touches.
_PG_RECORD_PREVIOUS = """
INSERT INTO leads_importleadchange (job_id, lead_id, created, previous)
SELECT %(job)s, l.id, false, jsonb_build_object({fields})
FROM leads_lead AS l JOIN leads_import_rows AS t ON lower(l.email) = t.email
""".format(fields=", ".join(f"'{name}', l.{name}" for name in (*UNDO_FIELDS, "updated_at")))

# Undo on PostgreSQL: every unchanged lead gets its previous values back (its updated_at too,
# so an earlier import can still be undone after it) in one UPDATE, with an activity on each.
# A campaign or post deleted since is not brought back: the link stays empty.
_PG_RESTORE = """
WITH restored AS (
    UPDATE leads_lead AS l SET
        name = COALESCE(c.previous->>'name', ''),
        phone = COALESCE(c.previous->>'phone', ''),
        company = COALESCE(c.previous->>'company', ''),
        company_size = (c.previous->>'company_size')::integer,
        title = COALESCE(c.previous->>'title', ''),
        website = COALESCE(c.previous->>'website', ''),
        status = COALESCE(c.previous->>'status', l.status),
        notes = COALESCE(c.previous->>'notes', ''),
        utm_source = COALESCE(c.previous->>'utm_source', ''),
        utm_campaign = COALESCE(c.previous->>'utm_campaign', ''),
        utm_content = COALESCE(c.previous->>'utm_content', ''),
        campaign_id = (SELECT id FROM campaigns_campaign
                       WHERE id = (c.previous->>'campaign_id')::bigint),
        creative_id = (SELECT id FROM campaigns_creative
                       WHERE id = (c.previous->>'creative_id')::bigint),
        updated_at = COALESCE((c.previous->>'updated_at')::timestamptz, %(now)s)
    FROM leads_importleadchange AS c
    WHERE c.job_id = %(job)s AND NOT c.created AND c.lead_id = l.id
      AND l.updated_at <= %(stamp)s
    RETURNING l.id, l.status
), logged AS (
    INSERT INTO leads_leadactivity (lead_id, kind, from_status, to_status, note, actor_id, created_at)
    SELECT id, 'import', '', status, %(note)s, %(actor)s, %(now)s FROM restored
)
SELECT id FROM restored
"""

# The campaign a row's utm_campaign names, and the creative its utm_content names in it.
_PG_ATTRIBUTED = """
UPDATE leads_import_rows AS t SET campaign_id = c.id
FROM campaigns_campaign AS c WHERE t.utm_campaign <> '' AND c.slug = t.utm_campaign;
UPDATE leads_import_rows AS t SET creative_id = cr.id
FROM campaigns_creative AS cr
WHERE t.campaign_id IS NOT NULL AND t.utm_content ~ '^[0-9]{1,18}$'
  AND cr.id = t.utm_content::bigint AND cr.campaign_id = t.campaign_id;
"""

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
        utm_source = CASE WHEN l.utm_source = '' THEN t.utm_source ELSE l.utm_source END,
        utm_campaign = CASE WHEN l.utm_campaign = '' THEN t.utm_campaign ELSE l.utm_campaign END,
        utm_content = CASE WHEN l.utm_content = '' THEN t.utm_content ELSE l.utm_content END,
        campaign_id = COALESCE(l.campaign_id, t.campaign_id),
        creative_id = COALESCE(l.creative_id, t.creative_id),
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
WITH inserted AS (
    INSERT INTO leads_lead (
        email, name, phone, company, company_size, title, website, source, status, score,
        consent, notes, utm_source, utm_campaign, utm_content, campaign_id, creative_id,
        created_at, updated_at
    )
    SELECT t.email, t.name, t.phone, t.company, t.company_size, t.title, t.website, %(source)s,
           t.status, 0, false, t.notes, t.utm_source, t.utm_campaign, t.utm_content,
           t.campaign_id, t.creative_id, %(now)s, %(now)s
    FROM leads_import_rows AS t
    WHERE NOT EXISTS (SELECT 1 FROM leads_lead AS l WHERE lower(l.email) = t.email)
    RETURNING id
){record}
SELECT count(*) FROM inserted
"""
_PG_INSERT_PLAIN = _PG_INSERT.format(record="")
_PG_INSERT_RECORDED = _PG_INSERT.format(record=""", recorded AS (
    INSERT INTO leads_importleadchange (job_id, lead_id, created, previous)
    SELECT %(job)s, id, true, NULL FROM inserted
)""")


def _write_postgresql(
    validated: ValidatedFile, *, source, actor_id, note, job_id, now
) -> tuple[int, int]:
    """COPY the clean rows into a temporary table, then UPDATE the known leads and INSERT the
    new ones. The table is locked against other writers (readers go on) for these few
    statements, so an email inserted meanwhile by a web form cannot slip between them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    attributed = False
    rows = []
    for lead in validated.leads:
        values = lead.values
        utm_campaign = values.get("utm_campaign", "")
        attributed = attributed or bool(utm_campaign)
        rows.append([
            lead.email, values.get("name", ""), values.get("phone", ""),
            values.get("company", ""), values.get("company_size", ""), values.get("title", ""),
            values.get("website", ""), values.get("status") or LeadStatus.NEW,
            "\n".join(lead.notes), values.get("utm_source", ""), utm_campaign,
            values.get("utm_content", ""),
        ])
    writer.writerows(rows)
    buffer.seek(0)
    params = {"source": source, "now": now, "note": note, "actor": actor_id, "job": job_id}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS leads_import_rows")
        cursor.execute(
            "CREATE TEMPORARY TABLE leads_import_rows (email text, name text, phone text, "
            "company text, company_size integer, title text, website text, status text, "
            "notes text, utm_source text, utm_campaign text, utm_content text, "
            "campaign_id bigint, creative_id bigint)"
        )
        cursor.cursor.copy_expert(
            "COPY leads_import_rows (email, name, phone, company, company_size, title, website, "
            "status, notes, utm_source, utm_campaign, utm_content) "
            "FROM STDIN WITH (FORMAT csv, FORCE_NULL (company_size))",
            buffer, size=1 << 20,
        )
        if attributed:
            cursor.execute(_PG_ATTRIBUTED)
        cursor.execute("ANALYZE leads_import_rows")
        cursor.execute("LOCK TABLE leads_lead IN SHARE ROW EXCLUSIVE MODE")
        if job_id is not None:
            cursor.execute(_PG_RECORD_PREVIOUS, params)
        cursor.execute(_PG_UPDATE, params)
        (updated,) = cursor.fetchone()
        cursor.execute(_PG_INSERT_RECORDED if job_id is not None else _PG_INSERT_PLAIN, params)
        (created,) = cursor.fetchone()
        cursor.execute("DROP TABLE leads_import_rows")
    return created, updated


def _attribution(validated: ValidatedFile) -> tuple[dict[str, int], set[tuple[int, int]]]:
    """(campaign slug → id, {(creative id, campaign id)}) for the UTM values of a file."""
    from campaigns.models import Campaign, Creative

    slugs = {lead.values["utm_campaign"] for lead in validated.leads if lead.values.get("utm_campaign")}
    if not slugs:
        return {}, set()
    campaigns = dict(Campaign.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    contents = {
        int(value) for lead in validated.leads
        if (value := str(lead.values.get("utm_content", ""))).isdigit() and len(value) <= 18
    }
    creatives = set(
        Creative.objects.filter(pk__in=contents, campaign_id__in=campaigns.values())
        .values_list("pk", "campaign_id")
    )
    return campaigns, creatives


def _write_generic(
    validated: ValidatedFile, *, source, actor_id, note, job_id, now
) -> tuple[int, int]:
    existing: dict[str, Lead] = {}
    emails = [lead.email for lead in validated.leads]
    for start in range(0, len(emails), 500):
        for lead in Lead.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails[start : start + 500]
        ):
            existing[lead.email_lower] = lead
    campaigns, creatives = _attribution(validated)
    new, changed, previous = [], [], {}
    for clean in validated.leads:
        utm = {key: str(clean.values.get(f"utm_{key}", "")) for key in ("source", "campaign", "content")}
        campaign_id = campaigns.get(utm["campaign"])
        content = utm["content"]
        creative_id = (
            int(content) if content.isdigit() and (int(content), campaign_id) in creatives else None
        )
        lead = existing.get(clean.email)
        if lead is None:
            new.append(Lead(
                email=clean.email, source=source,
                status=clean.values.get("status") or LeadStatus.NEW,
                notes="\n".join(clean.notes), created_at=now, updated_at=now,
                campaign_id=campaign_id, creative_id=creative_id,
                **{f"utm_{key}": value for key, value in utm.items()},
                **{name: clean.values[name] for name in CONTACT_FIELDS if name in clean.values},
            ))
        else:
            previous[lead.pk] = {
                **{name: getattr(lead, name) for name in UNDO_FIELDS},
                "updated_at": lead.updated_at.isoformat() if lead.updated_at else None,
            }
            _merge_into(lead, clean.values, clean.values.get("status"), clean.notes)
            for key, value in utm.items():
                if value and not getattr(lead, f"utm_{key}"):
                    setattr(lead, f"utm_{key}", value)
            lead.campaign_id = lead.campaign_id or campaign_id
            lead.creative_id = lead.creative_id or creative_id
            lead.updated_at = now
            changed.append(lead)
    Lead.objects.bulk_create(new, batch_size=500)
    Lead.objects.bulk_update(
        changed,
        [*CONTACT_FIELDS, "status", "notes", "utm_source", "utm_campaign", "utm_content",
         "campaign", "creative", "updated_at"],
        batch_size=500,
    )
    LeadActivity.objects.bulk_create(
        (LeadActivity(lead_id=lead.pk, kind=ActivityKind.IMPORT, to_status=lead.status,
                      note=note, actor_id=actor_id) for lead in changed),
        batch_size=500,
    )
    if job_id is not None:
        if any(lead.pk is None for lead in new):  # backends without RETURNING on bulk insert
            new = list(Lead.objects.filter(email__in=[lead.email for lead in new]).only("pk"))
        # bulk_create stamps updated_at itself (auto_now): give new leads the import's stamp,
        # so an undo can tell them from leads changed since.
        new_ids = [lead.pk for lead in new]
        for start in range(0, len(new_ids), 500):
            Lead.objects.filter(pk__in=new_ids[start : start + 500]).update(updated_at=now)
        ImportLeadChange.objects.bulk_create(
            [ImportLeadChange(job_id=job_id, lead_id=lead.pk, created=True) for lead in new]
            + [
                ImportLeadChange(job_id=job_id, lead_id=pk, created=False, previous=values)
                for pk, values in previous.items()
            ],
            batch_size=500,
        )
    return len(new), len(changed)


# --- Dry runs and undo ------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRun:
    """What an import would do, computed without writing anything."""

    rows: int
    created: int
    updated: int
    merged: int
    rejected: list[dict]


def import_job_dry_run(*, job: ImportJob, mapping: dict[str, str]) -> DryRun:
    """Reads and checks the whole stored file with `mapping` and counts what an import would
    create, update, merge and reject. Writes nothing (not even the mapping)."""
    importing.check_mapping(mapping, len(job.headers))
    with job.file.open("rb") as handle:
        parsed = importing.parse(handle.read())
    validated = importing.validate(parsed, mapping)
    updated = leads_existing_count([lead.email for lead in validated.leads])
    return DryRun(
        rows=validated.total, created=len(validated.leads) - updated, updated=updated,
        merged=validated.merged, rejected=[row.as_dict() for row in validated.rejected],
    )


class ImportUndoRefused(Exception):
    """The import cannot be undone; the message says why, for the user."""


def _undo_value(name: str, value):
    if name in ("company_size", "campaign_id", "creative_id"):
        return value if value is None else int(value)
    return "" if value is None else value


def _restore_generic(changes, *, stamp, now, note, actor) -> list[int]:
    """Other databases: the previous values back with bulk_update, in chunks."""
    from campaigns.models import Campaign, Creative

    restore = {
        change.lead_id: change.previous
        for change in changes.filter(created=False, lead__updated_at__lte=stamp)
        .only("lead_id", "previous")
    }
    campaigns = set(Campaign.objects.filter(
        pk__in={p.get("campaign_id") for p in restore.values()} - {None}
    ).values_list("pk", flat=True))
    creatives = set(Creative.objects.filter(
        pk__in={p.get("creative_id") for p in restore.values()} - {None}
    ).values_list("pk", flat=True))
    restored = []
    restore_ids = list(restore)
    for start in range(0, len(restore_ids), 1000):
        for lead in Lead.objects.filter(pk__in=restore_ids[start : start + 1000]):
            previous = restore[lead.pk]
            for name in UNDO_FIELDS:
                setattr(lead, name, _undo_value(name, previous.get(name)))
            if lead.campaign_id not in campaigns:
                lead.campaign_id = None
            if lead.creative_id not in creatives:
                lead.creative_id = None
            lead.updated_at = parse_datetime(previous.get("updated_at") or "") or now
            restored.append(lead)
    Lead.objects.bulk_update(
        restored, [*(name.removesuffix("_id") for name in UNDO_FIELDS), "updated_at"],
        batch_size=500,
    )
    LeadActivity.objects.bulk_create(
        (LeadActivity(lead_id=lead.pk, kind=ActivityKind.IMPORT, to_status=lead.status,
                      note=note, actor=actor) for lead in restored),
        batch_size=500,
    )
    return [lead.pk for lead in restored]


@transaction.atomic
def import_job_undo(*, job: ImportJob, actor: AbstractBaseUser | None) -> ImportJob:
    """Takes a finished import back as a whole: the leads it created are deleted, the fields it
    changed on known leads get their previous values back. A lead changed since the import
    (its updated_at is later than the import's stamp) is left as it is and listed on the job.
    Recorded on the job (who, when, what); a second undo is refused."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.is_undone:
        raise ImportUndoRefused(f"Import #{locked.pk} has already been undone.")
    if locked.status != ImportStatus.DONE or locked.written_at is None:
        raise ImportUndoRefused("Only a finished import can be undone.")
    stamp = locked.written_at
    changes = ImportLeadChange.objects.filter(job=locked)
    skipped = list(
        changes.filter(lead__updated_at__gt=stamp)
        .order_by("lead__email").values("lead_id", "lead__email", "created")
    )
    created_ids = list(
        changes.filter(created=True, lead__updated_at__lte=stamp).values_list("lead_id", flat=True)
    )
    now = timezone.now()
    note = f"Import #{locked.pk} ({locked.original_name}) undone: previous values restored."
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_RESTORE, {
                "job": locked.pk, "stamp": stamp, "now": now, "note": note, "actor": actor_id,
            })
            restored_ids = [row[0] for row in cursor.fetchall()]
    else:
        restored_ids = _restore_generic(changes, stamp=stamp, now=now, note=note, actor=actor)
    removed = 0
    for start in range(0, len(created_ids), 1000):
        chunk = created_ids[start : start + 1000]
        _, deleted = Lead.objects.filter(pk__in=chunk).delete()
        removed += deleted.get(Lead._meta.label, 0)
    if restored_ids:
        leads_rescore(restored_ids)
    locked.undone_at, locked.undone_by = now, actor
    locked.undo_removed, locked.undo_restored = removed, len(restored_ids)
    locked.undo_skipped = [
        {"id": item["lead_id"], "email": item["lead__email"],
         "created": item["created"]} for item in skipped
    ]
    locked.save(update_fields=[
        "undone_at", "undone_by", "undo_removed", "undo_restored", "undo_skipped",
    ])
    return locked
