"""Creatives: the library of every post, and a creative's page (preview, edit, adapt)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from campaigns.adapting import adaptable_platforms, creative_adapt
from campaigns.library import (
    LibraryFilters,
    creative_library_cards,
    library_count,
    library_stamp,
)
from campaigns.models import Creative, CreativeStatus, PublicationStatus
from campaigns.publishing.platforms import platform_rules
from campaigns.services import creative_revise, creative_submit
from campaigns.strategy_forms import AdaptForm, CreativeEditForm, LibraryFilterForm
from campaigns.validation import compose_text, normalise_hashtags, post_problems

PAGE_SIZE = 24


@vary_on_headers("HX-Request")
@require_GET
@section_view("creatives")
def creatives(request: HttpRequest) -> HttpResponse:
    stamp = library_stamp()  # the count and the filter options are cached under it
    form = LibraryFilterForm(request.GET or None, stamp=stamp)
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # an invalid filter is shown with its message; the others still apply
        data = form.cleaned_data
    filters = LibraryFilters(
        query=data.get("q") or "",
        brand=data.get("brand"),
        campaign=data.get("campaign"),
        platform=data.get("platform") or "",
        status=data.get("status") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    paginator = Paginator(creative_library_cards(filters), PAGE_SIZE)
    paginator.count = library_count(filters, stamp)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filter_query": query.urlencode(),
        "searching": bool(filters.query),
    }
    template = "campaigns/creatives_library.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


def _get_creative(pk: int) -> Creative:
    return get_object_or_404(
        Creative.objects.select_related("campaign__brand", "author", "publication"), pk=pk
    )


def _published(creative: Creative) -> bool:
    publication = getattr(creative, "publication", None)
    return publication is not None and publication.status == PublicationStatus.PUBLISHED


def count_context(platform: str, caption: str, hashtags: list[str], link: str) -> dict:
    rules = platform_rules(platform)
    length = rules.count(compose_text(caption, hashtags, link))
    return {
        "count": {
            "length": length,
            "limit": rules.caption_limit,
            "over": length > rules.caption_limit,
            "over_by": max(0, length - rules.caption_limit),
            "counting": rules.counting,
            "platform": rules.name,
            "problems": post_problems(
                platform=platform, caption=caption, hashtags=hashtags, link=link
            ) if caption.strip() else [],
        }
    }


def _creative_page(
    request: HttpRequest,
    creative: Creative,
    *,
    form: CreativeEditForm | None = None,
    adapt_form: AdaptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_edit = user.has_perm("campaigns.change_creative") and not _published(creative)
    choices = adaptable_platforms(creative)
    can_adapt = user.has_perm("campaigns.add_creative") and bool(choices)
    if can_edit and form is None:
        form = CreativeEditForm(creative=creative)
    if can_adapt and adapt_form is None:
        adapt_form = AdaptForm(choices=choices)
    if form is not None and form.is_bound:
        raw = form.data
        counted = count_context(
            creative.platform, raw.get("caption", ""),
            normalise_hashtags(raw.get("hashtags", "")), raw.get("link", "").strip(),
        )
    else:
        counted = count_context(creative.platform, creative.caption, creative.hashtags,
                                creative.link)
    return render(request, "campaigns/creative_detail.html", {
        "creative": creative,
        "rules": creative.rules,
        "form": form if can_edit else None,
        "adapt_form": adapt_form if can_adapt else None,
        "published": _published(creative),
        "versions": creative.versions.select_related("author").order_by("-version"),
        "reviews": creative.reviews.select_related("reviewer").order_by("-reviewed_at"),
        **counted,
    }, status=status)


@require_GET
@section_view("creatives")
def creative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _creative_page(request, _get_creative(pk))


@require_POST
@section_view("creatives")
@permission_required("campaigns.change_creative", raise_exception=True)
def creative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    creative = _get_creative(pk)
    if _published(creative):
        messages.error(request, "This post is already published; editing it here changes nothing.")
        return redirect(creative)
    form = CreativeEditForm(request.POST, request.FILES, creative=creative)
    if request.POST.get("action") == "check":
        # The no-JavaScript character count: validate and show, save nothing.
        form.is_valid()
        return _creative_page(request, creative, form=form)
    if not form.is_valid():
        return _creative_page(request, creative, form=form, status=400)
    changes = form.changes()
    if not changes:
        messages.info(request, "Nothing changed.")
        return redirect(creative)
    was = creative.status
    try:
        revised = creative_revise(creative=creative, editor=request.user, changes=changes)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _creative_page(request, creative, form=form, status=400)
    if was == CreativeStatus.DRAFT:
        messages.success(request, "Draft saved.")
    else:
        messages.success(
            request, f"Saved as version {revised.version}; it is back in the queue for review."
        )
    return redirect(revised)


@vary_on_headers("HX-Request")
@require_POST
@section_view("creatives")
def creative_count(request: HttpRequest, pk: int) -> HttpResponse:
    """The live character count (htmx). Without htmx the edit form's "Check" button counts."""
    creative = get_object_or_404(Creative, pk=pk)
    if not request.htmx:
        return redirect(creative)
    context = count_context(
        creative.platform, request.POST.get("caption", ""),
        normalise_hashtags(request.POST.get("hashtags", "")), request.POST.get("link", "").strip(),
    )
    return render(request, "campaigns/creative_detail.html#char-count", context)


@require_POST
@section_view("creatives")
@permission_required("campaigns.add_creative", raise_exception=True)
def creative_adapt_view(request: HttpRequest, pk: int) -> HttpResponse:
    creative = _get_creative(pk)
    form = AdaptForm(request.POST, choices=adaptable_platforms(creative))
    if not form.is_valid():
        return _creative_page(request, creative, adapt_form=form, status=400)
    copy = creative_adapt(creative=creative, platform=form.cleaned_data["platform"],
                          author=request.user)
    messages.success(
        request,
        f"Adapted for {copy.get_platform_display()} as a new draft; check it and submit it for review.",
    )
    return redirect(copy)


@require_POST
@section_view("creatives")
@permission_required("campaigns.change_creative", raise_exception=True)
def creative_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    creative = _get_creative(pk)
    if creative.status == CreativeStatus.DRAFT:
        problems = post_problems(platform=creative.platform, caption=creative.caption,
                                 hashtags=creative.hashtags, link=creative.link)
        if problems:
            messages.error(request, "Fix this before submitting: " + " ".join(problems))
            return redirect(creative)
        creative_submit(creative=creative, user=request.user)
        messages.success(request, "Submitted for review.")
    return redirect(creative)
