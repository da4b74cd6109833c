from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from jobs.selectors import job_get_for_user


@vary_on_headers("HX-Request")
@require_GET
def job_status(request: HttpRequest, task_result_id: str) -> HttpResponse:
    """One job's status: the person who started it, or anyone who may view jobs, sees it.
    htmx polls the fragment until the job is finished."""
    job = job_get_for_user(task_result_id, request.user)
    if job is None:
        raise Http404("No such job.")
    template = "jobs/status.html#job-status" if request.htmx else "jobs/status.html"
    return render(request, template, {"job": job})
