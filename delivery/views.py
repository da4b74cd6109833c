from __future__ import annotations

import tempfile

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aicmo_site.decorators import section_view
from delivery import exports
from delivery.models import DeliveryRecord


@require_GET
@section_view("delivery")
def index(request: HttpRequest) -> HttpResponse:
    readable = [kind for kind in exports.EXPORTS.values() if request.user.has_perm(kind.permission)]
    records = DeliveryRecord.objects.select_related("campaign__brand", "created_by")[:50]
    return render(
        request,
        "delivery/index.html",
        {"export_kinds": readable, "formats": exports.FORMATS, "records": records},
    )


@require_GET
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """Streams an export; the query string carries the list page's filters."""
    export_kind = exports.EXPORTS.get(kind)
    if export_kind is None or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    if not request.user.has_perm(export_kind.permission):
        raise PermissionDenied(f"You may not read {export_kind.title.lower()}.")
    try:
        params = exports.clean_params(export_kind, request.GET.items())
    except exports.BadFilter as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
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
