"""Background work for leads, through Django's Tasks API.

The default ImmediateBackend runs a task inline; a database-backed worker runs it elsewhere.
Either way the task receives only the ImportJob's id and loads everything else from the row
and its stored file.
"""

from __future__ import annotations

from django.tasks import task


@task
def run_import_job(job_id: int) -> dict:
    from leads.services import import_job_run

    job = import_job_run(job_id=job_id)
    return {"job": job.pk, "status": job.status}
