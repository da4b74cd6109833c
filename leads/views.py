"""Intake (add, import, public form) and Lead Gen (ranking, board, lead page, scoring, routing)."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from aicmo_site.decorators import section_view
from aicmo_site.redirects import safe_next
from campaigns import stamps
from campaigns.models import Brand, Campaign, Creative
from leads import importing, selectors, services
from leads.forms import (
    ActivityForm,
    BulkForm,
    LeadFilterForm,
    LeadForm,
    MappingForm,
    OwnerForm,
    PublicLeadForm,
    RoutingForm,
    ScoringRuleForm,
    StatusChangeForm,
    UploadForm,
)
from leads.importing import ImportFileError
from leads.models import ImportJob, ImportStatus, Lead, LeadTaker, ScoringRule
from leads.scoring import rules_met_by
from leads.statuses import LeadStatus

LEADS_PER_PAGE = 50


# --- Intake ----------------------------------------------------------------------------------


def _intake_context(**overrides) -> dict:
    context = {
        "add_form": LeadForm(initial={"source": "manual"}),
        "upload_form": UploadForm(),
        "jobs": selectors.import_jobs_recent(),
        "brands": list(Brand.objects.order_by("name").values_list("name", "slug")),
        "statuses": LeadStatus.choices,
    }
    context.update(overrides)
    return context


@require_GET
@section_view("intake")
def intake(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/intake.html", _intake_context())


@vary_on_headers("HX-Request")
@require_POST
@section_view("intake")
@permission_required("leads.add_lead", raise_exception=True)
def intake_add(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead, created = services.lead_upsert(
                email=data["email"], values=form.contact_values(),
                source=data["source"].strip() or "manual", actor=request.user,
                status=data["status"], notes=data["notes"],
                updated_note="Details updated from the add-a-lead form.",
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not request.htmx:
                messages.success(request, f"Lead {lead.email} added." if created else
                                 f"{lead.email} was already a lead: its details were updated.")
                return redirect(lead)
            return render(request, "leads/intake.html#add-lead", {
                "add_form": LeadForm(initial={"source": "manual"}), "added": lead,
                "added_created": created, "statuses": LeadStatus.choices,
            })
    template = "leads/intake.html#add-lead" if request.htmx else "leads/intake.html"
    return render(request, template, _intake_context(add_form=form), status=200)


@require_POST
@section_view("intake")
@permission_required("leads.add_importjob", raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.import_job_create(upload=form.cleaned_data["file"], actor=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(job)
    return render(request, "leads/intake.html", _intake_context(upload_form=form))


def _preview(job: ImportJob) -> list[list[str]]:
    with job.file.open("rb") as handle:
        parsed = importing.parse(handle.read(), limit=importing.PREVIEW_ROWS)
    width = len(job.headers)
    return [
        (row + [""] * width)[:width] for row in parsed.rows[: importing.PREVIEW_ROWS]
    ]


@vary_on_headers("HX-Request")
@require_GET
@section_view("intake")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "undone_by"), pk=pk)
    context: dict = {"job": job}
    if request.htmx:
        if not job.is_active:
            # Finished: reload the whole page once, so the rejected rows appear too.
            return HttpResponseClientRefresh()
        return render(request, "leads/import.html#job-status", context)
    if job.status == ImportStatus.PREVIEW:
        try:
            context["preview"] = _preview(job)
        except (ImportFileError, OSError) as exc:
            context["preview_error"] = f"The stored file cannot be read any more: {exc}"
        context["mapping_form"] = MappingForm(headers=job.headers, mapping=job.mapping)
    context["rejected"] = job.rejected_rows[:200]
    return render(request, "leads/import.html", context)


@require_POST
@section_view("intake")
@permission_required("leads.add_importjob", raise_exception=True)
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status != ImportStatus.PREVIEW:
        messages.info(request, "This import has already started.")
        return redirect(job)
    form = MappingForm(request.POST, headers=job.headers, mapping=job.mapping)
    if form.is_valid():
        try:
            services.import_job_start(job=job, mapping=form.mapping())
        except ImportFileError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(job)
    context = {"job": job, "mapping_form": form, "rejected": []}
    try:
        context["preview"] = _preview(job)
    except (ImportFileError, OSError) as exc:
        context["preview_error"] = f"The stored file cannot be read any more: {exc}"
    return render(request, "leads/import.html", context)


@require_POST
@section_view("intake")
@permission_required("leads.add_importjob", raise_exception=True)
def import_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Checks the whole file with the chosen mapping and shows what an import would do; writes
    nothing (not even the mapping)."""
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status != ImportStatus.PREVIEW:
        messages.info(request, "This import has already started; a dry run is for a new file.")
        return redirect(job)
    form = MappingForm(request.POST, headers=job.headers, mapping=job.mapping)
    context: dict = {"job": job, "mapping_form": form, "rejected": []}
    if form.is_valid():
        try:
            context["dry_run"] = services.import_job_dry_run(job=job, mapping=form.mapping())
        except (ImportFileError, OSError) as exc:
            form.add_error(None, str(exc))
    try:
        context["preview"] = _preview(job)
    except (ImportFileError, OSError) as exc:
        context["preview_error"] = f"The stored file cannot be read any more: {exc}"
    return render(request, "leads/import.html", context)


@require_POST
@section_view("intake")
@permission_required("leads.undo_importjob", raise_exception=True)
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    try:
        job = services.import_job_undo(job=job, actor=request.user)
    except services.ImportUndoRefused as exc:
        messages.error(request, str(exc))
    else:
        skipped = len(job.undo_skipped)
        messages.success(
            request,
            f"Import #{job.pk} undone: {job.undo_removed} lead{'s' if job.undo_removed != 1 else ''} "
            f"removed, {job.undo_restored} restored"
            + (f", {skipped} changed since and left as they are (listed below)." if skipped else "."),
        )
    return redirect(job)


@require_GET
@section_view("intake")
def import_rejected_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    response = StreamingHttpResponse(
        importing.rejected_csv(job.headers, job.rejected_rows), content_type="text/csv"
    )
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-rejected-rows.csv"'
    return response


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_limited(request: HttpRequest, brand: Brand) -> bool:
    """Counts this address's submissions in the cache; True once it is over the limit."""
    from django.conf import settings

    key = f"leads:public-form:{_client_address(request)}"
    window = settings.LEADS_FORM_RATE_WINDOW
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return False
    return count > settings.LEADS_FORM_RATE_LIMIT


@xframe_options_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, slug: str) -> HttpResponse:
    """The embeddable intake form of one brand; the page keeps the UTM parameters."""
    brand = get_object_or_404(Brand, slug=slug)
    if request.method == "GET":
        form = PublicLeadForm(initial={
            key: request.GET.get(key, "")[:180]
            for key in ("utm_source", "utm_campaign", "utm_content")
        })
        return render(request, "leads/public_form.html", {"brand": brand, "form": form})
    if _rate_limited(request, brand):
        return render(request, "leads/public_form.html", {
            "brand": brand, "form": PublicLeadForm(request.POST), "rate_limited": True,
        }, status=429)
    form = PublicLeadForm(request.POST)
    if form.is_bot():
        # Say thanks and keep nothing: a bot learns nothing from the answer.
        return redirect("leads:public_form_thanks", slug=brand.slug)
    if form.is_valid():
        data = form.cleaned_data
        campaign = creative = None
        if data["utm_campaign"]:
            campaign = Campaign.objects.filter(brand=brand, slug=data["utm_campaign"]).first()
        if data["utm_content"].isdigit():
            creatives = Creative.objects.filter(pk=int(data["utm_content"]), campaign__brand=brand)
            creative = creatives.select_related("campaign").first()
            if creative is not None and campaign is None:
                campaign = creative.campaign
        services.lead_upsert(
            email=data["email"], source="web_form", consent=True, notes=data["message"],
            values={"name": data["name"], "company": data["company"], "title": data["title"],
                    "phone": data["phone"]},
            campaign=campaign, creative=creative,
            utm={key: data[f"utm_{key}"] for key in ("source", "campaign", "content")},
            updated_note=f"Sent {brand.name}'s web form again.",
        )
        return redirect("leads:public_form_thanks", slug=brand.slug)
    return render(request, "leads/public_form.html", {"brand": brand, "form": form})


@xframe_options_exempt
@login_not_required
@require_GET
def public_form_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    return render(request, "leads/public_form_thanks.html", {"brand": brand})


# --- Lead Gen --------------------------------------------------------------------------------


def _filter_querystring(form: LeadFilterForm) -> str:
    if not form.is_valid():
        return ""
    return urlencode({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})


@vary_on_headers("HX-Request")
@require_GET
@section_view("leadgen")
def leadgen(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    names = selectors.leadgen_names(stamp=stamps.data_stamp(stamps.LEADGEN_NAMES))
    stamp = stamps.data_stamp(stamps.LEADS)
    ranked = selectors.ranked_leads(filters, stamp=stamp, names=names)
    page = Paginator(ranked, LEADS_PER_PAGE).get_page(request.GET.get("page"))
    query = _filter_querystring(form) if filters else ""
    context = {
        "filter_form": form, "page": page, "query": query, "statuses": LeadStatus.choices,
        "page_link": f"?{query}&page=",  # the pager's links, the page's number appended
    }
    if request.htmx:
        return render(request, "leads/leadgen.html#results", context)
    # The filter's and the bulk bar's <option>s: sources cached under the leads stamp, campaigns
    # and owners written once under theirs (fast_html's select_option marks the chosen one).
    context.update({
        "sources": [(source, source) for source in selectors.cached_lead_sources(stamp=stamp)],
        "owner_options": names.owner_options, "campaign_options": names.campaign_options,
    })
    return render(request, "leads/leadgen.html", context)


def _export_csv(lead_ids: list[int]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="leads.csv"'
    writer = csv.writer(response)
    writer.writerow(["Email", "Name", "Company", "Job title", "Phone", "Company size",
                     "Website", "Status", "Score", "Source", "Owner", "Campaign", "Created"])
    for lead in Lead.objects.filter(pk__in=lead_ids).select_related("owner", "campaign"):
        writer.writerow([
            lead.email, lead.name, lead.company, lead.title, lead.phone,
            lead.company_size if lead.company_size is not None else "", lead.website,
            lead.status, lead.score, lead.source, lead.owner.get_username() if lead.owner else "",
            lead.campaign.slug if lead.campaign else "", lead.created_at.isoformat(),
        ])
    return response


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def leadgen_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    back = safe_next(request, reverse("leads:leadgen"))
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    if data["action"] == "export":
        return _export_csv(data["leads"])
    if data["action"] == "status":
        moved = services.leads_bulk_set_status(
            lead_ids=data["leads"], status=data["status"], actor=request.user
        )
        messages.success(request, f"{moved} lead{'s'[:moved != 1]} moved.")
    else:
        changed = services.leads_bulk_assign(
            lead_ids=data["leads"], owner=data["owner_user"], actor=request.user
        )
        messages.success(request, f"{changed} lead{'s'[:changed != 1]} reassigned.")
    return HttpResponseRedirect(back)


def _board_context(request: HttpRequest) -> dict:
    taker = LeadTaker.objects.filter(user=request.user).first()
    return {
        "columns": selectors.lead_board(), "statuses": LeadStatus.choices,
        "routing_form": RoutingForm(), "takers": services.lead_takers(),
        "taking": bool(taker and taker.accepting),
        "is_operator": request.user.groups.filter(name="Operator").exists(),
    }


@vary_on_headers("HX-Request")
@require_GET
@section_view("leadgen")
def leadgen_board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request)
    if request.htmx:
        return render(request, "leads/board.html#board", context)
    return render(request, "leads/board.html", context)


def _detail_context(lead: Lead) -> dict:
    return {
        "lead": lead, "timeline": selectors.lead_timeline(lead), "rules_met": rules_met_by(lead),
        "status_form": StatusChangeForm(initial={"status": lead.status}),
        "activity_form": ActivityForm(), "owner_form": OwnerForm(initial={"owner": lead.owner_id}),
        "statuses": LeadStatus.choices,
    }


def _get_lead(pk: int) -> Lead:
    try:
        return selectors.lead_get(pk)
    except Lead.DoesNotExist as exc:
        raise Http404("No such lead.") from exc


@require_GET
@section_view("leadgen")
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "leads/lead_detail.html", _detail_context(_get_lead(pk)))


@vary_on_headers("HX-Request")
def _lead_form_answer(request: HttpRequest, lead, form_name: str, form) -> HttpResponse:
    """After a form on the lead page: saved → the page again (its main region for htmx);
    refused → the page with the form and its errors."""
    if form.is_valid():
        if not request.htmx:
            return redirect(lead)
        return render(request, "leads/lead_detail.html#lead-main", _detail_context(_get_lead(lead.pk)))
    context = _detail_context(lead)
    context[form_name] = form
    template = "leads/lead_detail.html#lead-main" if request.htmx else "leads/lead_detail.html"
    return render(request, template, context)


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Moves a lead: from a board card (answers with the board) or from the lead page."""
    lead = _get_lead(pk)
    form = StatusChangeForm(request.POST)
    on_board = request.POST.get("from") == "board"
    if form.is_valid():
        services.lead_change_status(
            lead=lead, status=form.cleaned_data["status"], actor=request.user,
            note=form.cleaned_data["note"],
        )
        if not request.htmx:
            messages.success(request, f"{lead.email} is now {lead.get_status_display()}.")
            return redirect("leads:board" if on_board else "leads:detail", **(
                {} if on_board else {"pk": lead.pk}))
    elif not request.htmx:
        messages.error(request, "; ".join(form.errors.get("status", ["Choose a status."])))
        return redirect("leads:board" if on_board else "leads:detail", **(
            {} if on_board else {"pk": lead.pk}))
    if on_board:
        return render(request, "leads/board.html#board", _board_context(request))
    context = _detail_context(_get_lead(pk))
    if not form.is_valid():
        context["status_form"] = form
    return render(request, "leads/lead_detail.html#lead-main", context)


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def lead_log(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _get_lead(pk)
    form = ActivityForm(request.POST)
    if form.is_valid():
        services.lead_log(lead=lead, kind=form.cleaned_data["kind"],
                          note=form.cleaned_data["note"], actor=request.user)
    return _lead_form_answer(request, lead, "activity_form", form)


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def lead_owner(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _get_lead(pk)
    form = OwnerForm(request.POST)
    if form.is_valid():
        services.lead_assign(lead=lead, owner=form.cleaned_data["owner"], actor=request.user)
    return _lead_form_answer(request, lead, "owner_form", form)


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def leads_route(request: HttpRequest) -> HttpResponse:
    form = RoutingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the minimum score as a whole number.")
        return redirect("leads:board")
    threshold = form.cleaned_data["threshold"]
    given = services.leads_route_qualified(threshold=threshold, actor=request.user)
    if not given and not services.lead_takers().exists():
        messages.warning(request, "Nobody takes leads yet: an Operator turns on “I take leads”.")
    elif not given:
        messages.info(request, f"No qualified lead scores {threshold} or more.")
    else:
        parts = ", ".join(f"{count} to {name}" for name, count in given.items())
        total = sum(given.values())
        messages.success(request, f"Routed {total} lead{'s'[:total != 1]}: {parts}.")
    return redirect("leads:board")


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def lead_taker_toggle(request: HttpRequest) -> HttpResponse:
    if not request.user.groups.filter(name="Operator").exists():
        messages.error(request, "Only Operators take leads.")
        return redirect("leads:board")
    accepting = request.POST.get("accepting") == "1"
    services.lead_taker_set(user=request.user, accepting=accepting)
    messages.success(request, "You take leads now." if accepting else "You no longer take leads.")
    return redirect("leads:board")


# --- Scoring rules ---------------------------------------------------------------------------


@require_GET
@section_view("leadgen")
def scoring_rules(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/rules.html", {
        "rules": ScoringRule.objects.select_related("created_by"), "form": ScoringRuleForm(),
    })


@require_http_methods(["GET", "POST"])
@section_view("leadgen")
def scoring_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk) if pk else None
    needed = "leads.change_scoringrule" if rule else "leads.add_scoringrule"
    if request.method == "POST" and not request.user.has_perm(needed):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You cannot change scoring rules.")
    form = ScoringRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        services.scoring_rule_save(rule=form.save(commit=False), actor=request.user)
        messages.success(request, "Rule saved; every score was recomputed.")
        return redirect("leads:rules")
    if rule is None and request.method == "POST":
        return render(request, "leads/rules.html", {
            "rules": ScoringRule.objects.select_related("created_by"), "form": form,
        })
    return render(request, "leads/rule_edit.html", {"form": form, "rule": rule})


@require_POST
@section_view("leadgen")
@permission_required("leads.delete_scoringrule", raise_exception=True)
def scoring_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk)
    services.scoring_rule_delete(rule=rule)
    messages.success(request, "Rule deleted; every score was recomputed.")
    return redirect("leads:rules")


@require_POST
@section_view("leadgen")
@permission_required("leads.change_lead", raise_exception=True)
def scoring_recompute(request: HttpRequest) -> HttpResponse:
    from leads.scoring import leads_rescore

    count = leads_rescore()
    messages.success(request, f"Scores recomputed: {count} changed.")
    return redirect("leads:rules")
