from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from campaigns.models import Campaign
from delivery import exports, reports
from delivery.models import DeliveryRecord
from delivery.selectors import campaign_records, delivery_campaigns, delivery_records
from delivery.tasks import MAKERS, make_delivery
from jobs.selectors import job_get_for_user
from jobs.services import job_enqueue


@require_GET
@section_view("delivery")
def index(request: HttpRequest) -> HttpResponse:
    readable = [kind for kind in exports.EXPORTS.values() if request.user.has_perm(kind.permission)]
    job = job_get_for_user(request.GET["job"], request.user) if request.GET.get("job") else None
    return render(
        request,
        "delivery/index.html",
        {
            "export_kinds": readable,
            "formats": exports.FORMATS,
            "records": delivery_records(),
            "campaigns": (
                delivery_campaigns() if request.user.has_perm(REPORT_PERMISSION) else []
            ),
            "can_make": request.user.has_perm(MAKE_PERMISSION),
            "job": job,
        },
    )


@require_GET
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """Streams an export; the query string carries the list page's filters."""
    export_kind = exports.EXPORTS.get(kind)
    if export_kind is None or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    if not request.user.has_perm(export_kind.permission):
        raise PermissionDenied(f"You may not read {export_kind.title.lower()}.")
    params = exports.clean_params(export_kind, request.GET.lists())
    filename = exports.filename_for(export_kind, fmt)
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        exports.write_xlsx(export_kind, params, spool)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    chunks = exports.csv_chunks if fmt == "csv" else exports.json_chunks
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    response = StreamingHttpResponse(chunks(export_kind, params), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


REPORT_PERMISSION = "campaigns.view_campaign"
MAKE_PERMISSION = "delivery.add_deliveryrecord"
MAKE_LABELS = {"report_pdf": "PDF report", "bundle": "Delivery bundle"}


def _campaign_for(request: HttpRequest, pk: int) -> Campaign:
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied("You may not read campaigns.")
    return get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)


def _make_panel_context(request: HttpRequest, campaign: Campaign, job=None) -> dict:
    if job is None and request.GET.get("job"):
        job = job_get_for_user(request.GET["job"], request.user)
    return {
        "campaign": campaign,
        "job": job,
        "can_make": request.user.has_perm(MAKE_PERMISSION),
        "campaign_records": campaign_records(campaign),
        "next_url": request.POST.get("next") or request.path,
    }


@require_GET
@section_view("delivery")
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The client report as a page that prints well; the PDF holds the same content."""
    campaign = _campaign_for(request, pk)
    context = reports.report_context(campaign)
    context.update(_make_panel_context(request, campaign))
    return render(request, "delivery/report.html", context)


@vary_on_headers("HX-Request")
@require_POST
@section_view("delivery")
@permission_required(MAKE_PERMISSION, raise_exception=True)
def campaign_make(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Starts making the PDF report or the bundle as a background job; shows its status."""
    if kind not in MAKERS:
        raise Http404("Delivery makes a PDF report or a bundle.")
    campaign = _campaign_for(request, pk)
    job = job_enqueue(
        task=make_delivery,
        kwargs={"kind": kind, "campaign_id": campaign.pk, "user_id": request.user.pk},
        started_by=request.user,
        label=f"{MAKE_LABELS[kind]} for {campaign.name}"[:200],
    )
    if request.htmx:
        return render(
            request, "delivery/make_panel.html", _make_panel_context(request, campaign, job)
        )
    target = _safe_next(request, reverse("delivery:report", args=[campaign.pk]))
    return redirect(f"{target}?{urlencode({'job': job.task_result_id})}#make-{campaign.pk}")


def _safe_next(request: HttpRequest, default: str) -> str:
    """Back to the page the operator started from (Delivery or the report), never elsewhere."""
    candidate = request.POST.get("next", "")
    allowed = {reverse("delivery:index"), default}
    return candidate if candidate in allowed else default


@require_GET
@section_view("delivery")
def record_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A logged file, byte for byte as it was made (its SHA-256 is in the log)."""
    record = get_object_or_404(DeliveryRecord, pk=pk)
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("This file is no longer in storage; make it again.") from None
    content_type = "application/pdf" if record.kind == "report_pdf" else "application/zip"
    response = FileResponse(
        handle, as_attachment=True, filename=record.filename, content_type=content_type
    )
    response["X-Content-SHA256"] = record.sha256
    return response
