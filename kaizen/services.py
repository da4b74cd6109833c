"""Writes for Learn / Kaizen. Views and other apps change kaizen data only through these."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kaizen.models import ActionItem, Article, ArticleRevision, Retrospective


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "article"
    slug, n = base, 2
    taken = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _record_revision(article: Article, editor) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article, version=article.version, title=article.title, body=article.body,
        tags=list(article.tags), brand=article.brand, editor=editor,
    )


@transaction.atomic
def article_create(*, title: str, body: str, tags: list[str], brand=None, author) -> Article:
    article = Article(
        title=title, slug=_unique_slug(title), body=body, tags=tags, brand=brand, author=author,
        version=1,
    )
    article.full_clean()
    article.save()
    _record_revision(article, author)
    return article


@transaction.atomic
def article_update(
    *, article: Article, title: str, body: str, tags: list[str], brand=None, editor
) -> Article:
    """Saves a new version; the previous one stays in the history. No change, no version."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if (article.title, article.body, list(article.tags), article.brand_id) == (
        title, body, tags, brand.pk if brand else None
    ):
        return article
    article.title, article.body, article.tags, article.brand = title, body, tags, brand
    article.version += 1
    article.full_clean()
    article.save()
    _record_revision(article, editor)
    return article


@transaction.atomic
def retrospective_open(*, campaign) -> Retrospective:
    """Opens the campaign's retrospective; calling it again returns the same one."""
    retrospective, _ = Retrospective.objects.get_or_create(campaign=campaign)
    return retrospective


def retrospectives_open_for_completed() -> list[Retrospective]:
    """Opens a retrospective for every completed campaign that has none yet (however its
    completed_at was set: a service, the admin, an import). Returns the ones opened now."""
    from kaizen.selectors import campaigns_awaiting_retrospective

    waiting = campaigns_awaiting_retrospective()
    return [retrospective_open(campaign=campaign) for campaign in waiting.order_by("pk")]


@transaction.atomic
def retrospective_update(
    *, retrospective: Retrospective, what_worked: str, what_did_not: str, editor
) -> Retrospective:
    retrospective.what_worked = what_worked
    retrospective.what_did_not = what_did_not
    retrospective.updated_by = editor
    retrospective.save(update_fields=["what_worked", "what_did_not", "updated_by", "updated_at"])
    return retrospective


@transaction.atomic
def action_item_add(
    *, retrospective: Retrospective, description: str, owner, due_date: date
) -> ActionItem:
    if not owner.is_active:
        raise ValidationError({"owner": "This person can no longer sign in."})
    item = ActionItem(
        retrospective=retrospective, description=description, owner=owner, due_date=due_date
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_set_done(*, item: ActionItem, done: bool, by) -> ActionItem:
    """Marks an item done (or open again). Marking a done item done again changes nothing."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if done and item.done_at is None:
        item.done_at, item.done_by = timezone.now(), by
    elif not done and item.done_at is not None:
        item.done_at, item.done_by = None, None
    else:
        return item
    item.save(update_fields=["done_at", "done_by"])
    return item
