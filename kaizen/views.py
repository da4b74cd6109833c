"""Learn / Kaizen pages: the knowledge base, retrospectives and insights."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from aicmo_site.redirects import safe_next
from kaizen import insights, selectors, services
from kaizen.charts import bar_chart
from kaizen.forms import (
    ActionItemForm,
    ArticleForm,
    InsightsFilterForm,
    RetrospectiveForm,
    SearchForm,
)
from kaizen.models import ActionItem, Article, Retrospective

RECENT = 6
# One retrospective opens per completed campaign: an agency's years of them, a page at a time.
RETROSPECTIVES_PER_PAGE = 50


@require_GET
@section_view("learn")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "kaizen/index.html", {
        "search_form": SearchForm(),
        "articles": selectors.articles_recent(RECENT),
        "retrospectives": selectors.retrospectives_recent(RECENT),
    })


# --- Knowledge base -------------------------------------------------------------------------

@vary_on_headers("HX-Request")
@require_GET
@section_view("learn")
def article_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query, tag, brand, hits, articles = "", "", None, [], None
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        tag, brand = form.cleaned_data["tag"], form.cleaned_data["brand"]
    if query:
        hits = selectors.article_search(query, brand=brand, tag=tag)
    else:
        articles = selectors.article_list(brand=brand, tag=tag)
    context = {"form": form, "query": query, "tag": tag, "brand": brand, "hits": hits,
               "articles": articles}
    template = "kaizen/articles.html#results" if request.htmx else "kaizen/articles.html"
    return render(request, template, context)


@require_GET
@section_view("learn")
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_article(slug)
    return render(request, "kaizen/article.html", {"article": article})


@require_http_methods(["GET", "POST"])
@section_view("learn")
@permission_required("kaizen.add_article", raise_exception=True)
def article_create(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{article.title}” is in the knowledge base.")
            return redirect(article)
    return render(request, "kaizen/article_form.html", {"form": form, "article": None})


@require_http_methods(["GET", "POST"])
@section_view("learn")
@permission_required("kaizen.change_article", raise_exception=True)
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_article(slug)
    initial = {"title": article.title, "body": article.body, "tags": ", ".join(article.tags),
               "brand": article.brand}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.article_update(article=article, editor=request.user,
                                              **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if updated.version == article.version:
                messages.info(request, "Nothing changed, so no new version was saved.")
            else:
                messages.success(request, f"Saved as version {updated.version}.")
            return redirect(updated)
    return render(request, "kaizen/article_form.html", {"form": form, "article": article})


@require_GET
@section_view("learn")
def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_article(slug)
    return render(request, "kaizen/article_history.html", {
        "article": article, "revisions": selectors.article_revisions(article),
    })


def _get_article(slug: str) -> Article:
    try:
        return selectors.article_get(slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Retrospectives -------------------------------------------------------------------------

@require_GET
@section_view("learn")
def retrospective_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.retrospective_list(), RETROSPECTIVES_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "kaizen/retrospectives.html", {
        "page": page,
        "awaiting": selectors.campaigns_awaiting_retrospective().count(),
    })


@require_POST
@section_view("learn")
@permission_required("kaizen.add_retrospective", raise_exception=True)
def retrospectives_open(request: HttpRequest) -> HttpResponse:
    """For campaigns completed by a path that did not open their retrospective (admin, import)."""
    opened = services.retrospectives_open_for_completed()
    messages.success(request, f"Opened {len(opened)} retrospective{'s' if len(opened) != 1 else ''}.")
    return redirect("kaizen:retrospectives")


def _retrospective_page(request, retrospective, *, form=None, item_form=None, status=200):
    return render(request, "kaizen/retrospective.html", {
        "retrospective": retrospective,
        "form": form or RetrospectiveForm(initial={
            "what_worked": retrospective.what_worked,
            "what_did_not": retrospective.what_did_not,
        }),
        "item_form": item_form or ActionItemForm(initial={"owner": request.user.pk}),
        "items": selectors.action_items_of(retrospective),
    }, status=status)


def _get_retrospective(pk: int) -> Retrospective:
    try:
        return selectors.retrospective_get(pk)
    except Retrospective.DoesNotExist:
        raise Http404("No such retrospective.") from None


@require_GET
@section_view("learn")
def retrospective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _retrospective_page(request, _get_retrospective(pk))


@vary_on_headers("HX-Request")
@require_POST
@section_view("learn")
@permission_required("kaizen.change_retrospective", raise_exception=True)
def retrospective_update(request: HttpRequest, pk: int) -> HttpResponse:
    retrospective = _get_retrospective(pk)
    form = RetrospectiveForm(request.POST)
    if form.is_valid():
        services.retrospective_update(retrospective=retrospective, editor=request.user,
                                      **form.cleaned_data)
        if not request.htmx:
            messages.success(request, "Retrospective saved.")
            return redirect(retrospective)
        return render(request, "kaizen/retrospective.html#notes",
                      {"retrospective": retrospective, "form": form, "saved": True})
    if request.htmx:
        return render(request, "kaizen/retrospective.html#notes",
                      {"retrospective": retrospective, "form": form})
    return _retrospective_page(request, retrospective, form=form)


@vary_on_headers("HX-Request")
@require_POST
@section_view("learn")
@permission_required("kaizen.add_actionitem", raise_exception=True)
def action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    retrospective = _get_retrospective(pk)
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_add(retrospective=retrospective, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Action item added.")
                return redirect(retrospective)
            form = ActionItemForm(initial={"owner": request.user.pk})
    if request.htmx:
        return render(request, "kaizen/retrospective.html#action-items", {
            "retrospective": retrospective, "item_form": form,
            "items": selectors.action_items_of(retrospective),
        })
    return _retrospective_page(request, retrospective, item_form=form)


@vary_on_headers("HX-Request")
@require_POST
@section_view("learn")
@permission_required("kaizen.change_actionitem", raise_exception=True)
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ActionItem.objects.select_related("owner", "retrospective__campaign__brand"), pk=pk
    )
    done = request.POST.get("done", "1") != "0"
    item = services.action_item_set_done(item=item, done=done, by=request.user)
    if request.htmx:
        item = ActionItem.objects.select_related(
            "owner", "done_by", "retrospective__campaign__brand"
        ).get(pk=item.pk)
        return render(request, "kaizen/_action_item.html", {
            "item": item, "show_campaign": request.POST.get("show_campaign") == "1",
            "next": request.POST.get("next", ""),
        })
    messages.success(request, f"“{item.description}” marked {'done' if done else 'open'}.")
    return redirect(safe_next(request, item.retrospective.get_absolute_url()))


# --- Insights -------------------------------------------------------------------------------

def _rate_chart(title, rows):
    return bar_chart(title, rows, value=lambda r: r.rate,
                     text=lambda r: f"{r.percent:.1f}% · {r.posts} posts")


@vary_on_headers("HX-Request")
@require_GET
@section_view("learn")
def insights_page(request: HttpRequest) -> HttpResponse:
    form = InsightsFilterForm(request.GET or None)
    brand = form.cleaned_data["brand"] if form.is_valid() else None
    platforms = insights.platform_rates(brand)
    weekdays = insights.weekday_rates(brand)
    hours = sorted(insights.hour_rates(brand), key=lambda row: row.key)
    hashtags = insights.hashtag_rates(brand)
    reasons = insights.rejection_reasons(brand)
    approval = insights.approval_time(brand)
    approval_by_platform = insights.approval_time_by_platform(brand)
    context = {
        "form": form,
        "brand": brand,
        "min_sample": insights.min_sample(),
        "overall": insights.overall_rate(brand),
        "platforms": platforms,
        "platform_chart": _rate_chart("Engagement rate by platform", platforms),
        "weekdays": weekdays,
        "weekday_chart": _rate_chart("Engagement rate by weekday", weekdays),
        "hours": hours,
        "hour_chart": _rate_chart("Engagement rate by hour posted", hours),
        "hashtags": hashtags,
        "hashtag_chart": _rate_chart("Engagement rate of posts carrying each hashtag", hashtags),
        "reasons": reasons,
        "reason_chart": bar_chart("Rejections by reason", reasons, value=lambda r: r.count,
                                  text=lambda r: str(r.count)),
        "approval": approval,
        "approval_by_platform": approval_by_platform,
        "approval_chart": bar_chart(
            "Average hours from generation to approval", approval_by_platform,
            value=lambda r: r.hours, text=lambda r: f"{r.hours:.1f} h · {r.count} posts",
        ),
        "hints": selectors.generation_hints_for(brand) if brand else None,
    }
    template = "kaizen/insights.html#insights-body" if request.htmx else "kaizen/insights.html"
    return render(request, template, context)
