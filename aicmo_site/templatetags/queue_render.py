"""Hot loops of the approval queue and the campaign list, rendered in Python.

Fifty queue cards through Django template nodes (an include per card, three forms, a preview, a
history) cost ~40 ms at agency scale, and 500 campaign <option>s another 8; the same markup built
here with `escape` and f-strings costs a few. The markup follows the templates it replaced;
campaigns/tests/test_queue_render.py holds the preview to `includes/post_preview.html`, which
other pages still include.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.template.defaultfilters import pluralize
from django.utils import dateformat, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from aicmo_site.html import escape, url_for_rows
from campaigns.models import CreativeStatus
from campaigns.templatetags.campaigns_extras import person, platform_names

register = template.Library()


@lru_cache(maxsize=4096)
def _day(value: date, fmt: str, language: str | None) -> str:
    """`value|date:fmt` for a calendar date; days repeat down a list, and formatting one costs
    more than the rest of its row."""
    return dateformat.format(value, fmt)


@lru_cache(maxsize=4096)
def _moment(value: datetime, fmt: str, zone, language: str | None) -> str:
    """`value|date:fmt` for an aware datetime shown in `zone`: the same posts and reviews come
    back on every request of a list, and formatting one costs ~15 µs."""
    return dateformat.format(timezone.localtime(value, zone), fmt)


def _date(value, fmt: str) -> str:
    """`value|date:fmt` in a template: a datetime in the current time zone, or a date."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return _day(value, fmt, translation.get_language())
    if timezone.is_aware(value):
        return _moment(value, fmt, timezone.get_current_timezone(), translation.get_language())
    return dateformat.format(value, fmt)


def _linebreaksbr(text: str) -> str:
    """`text|linebreaksbr` (escaped, each line break a <br>) without the filter's wrappers."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


# A status's label, as get_status_display() gives it (~6 µs a call through the field's choices).
STATUS_LABELS = dict(CreativeStatus.choices)


def _csrf_input(context) -> str:
    """What `{% csrf_token %}` renders (one token per response, as the tag does)."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 (the tag's marker, not a password)
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


# --- the queue card -----------------------------------------------------------------------------


def _names(creative) -> tuple[str, str]:
    """The creative's campaign's and brand's names: `names`, as selectors.queue_page sets it
    from its cached map, else read through the relations (load `campaign__brand`)."""
    names = getattr(creative, "names", None)
    return names or (creative.campaign.name, creative.campaign.brand.name)


def post_preview(creative) -> str:
    """`includes/post_preview.html` for one creative (see _names)."""
    rules = creative.rules
    shown, hidden = creative.preview_parts()
    length = creative.text_length()
    brand_name = _names(creative)[1]
    brand = escape(brand_name)
    rules_name = escape(rules.name)
    text = _linebreaksbr(shown)
    if hidden:
        text += (f'<span class="post-preview__fold">… see more</span><details class="post-preview__more">'
                 f"<summary>Text behind “see more”</summary>{_linebreaksbr(hidden)}</details>")
    if creative.image:
        image = (f'<img class="post-preview__image" src="{escape(creative.image.url)}" '
                 f'alt="{escape(creative.image_alt)}">')
    elif creative.image_brief:
        image = f'<div class="post-preview__brief"><small>Image to make:</small> {escape(creative.image_brief)}</div>'
    else:
        image = ""
    links = (f"<span>Links are not clickable on {rules_name}.</span>"
             if not rules.links_clickable and creative.link else "")
    return (
        f'<figure class="post-preview post-preview--{escape(creative.platform)}" '
        f'style="--platform-color: {escape(rules.color)}">'
        f'<header class="post-preview__head">'
        f'<span class="post-preview__avatar" aria-hidden="true">{escape(brand_name[:1])}</span>'
        f"<span><strong>{brand}</strong><br>"
        f"<small>{rules_name} · {_date(creative.scheduled_at, 'D j M, H:i')}</small></span></header>"
        f'<div class="post-preview__text">{text}</div>{image}'
        f'<figcaption class="post-preview__meta">'
        f'<span class="{"over-limit" if length > rules.caption_limit else ""}" '
        f'title="{rules_name} counts {escape(rules.counting)}">{length} / {rules.caption_limit} characters</span>'
        f"{links}</figcaption></figure>"
    )


def _history(creative) -> str:
    """The <details> with every version (newest first), what changed and its decisions."""
    items = []
    for version, reviews, changes in creative.history:
        diff = ""
        if changes:
            diff = "".join(
                f'<div class="diff"><span class="diff__field">{escape(change.field)}:</span> '
                + "".join(
                    f"<ins>{escape(piece.text)}</ins>" if piece.op == "added"
                    else f"<del>{escape(piece.text)}</del>" if piece.op == "removed"
                    else escape(piece.text)
                    for piece in change.pieces
                ) + "</div>"
                for change in changes
            )
            diff = (f'<div class="changes"><small>What changed since v{version.version - 1}:</small>'
                    f"{diff}</div>")
        decided = "".join(
            f'<span class="review"><span class="status-badge status-badge--{escape(review.decision)}">'
            f"{escape(review.get_decision_display())}</span> by "
            + (f"the client, via the link for {escape(review.client_link.label)}" if review.client_link
               else escape(person(review.reviewer, "someone")))
            + f", {_date(review.reviewed_at, 'j M, H:i')}"
            + (f": “{escape(review.reason)}”" if review.reason else "")
            + "</span>"
            for review in reviews
        ) or '<span class="review"><small>Not decided yet.</small></span>'
        items.append(
            f"<li><strong>v{version.version}</strong> by {escape(person(version.author, 'the engine'))}, "
            f"{_date(version.created_at, 'j M, H:i')}"
            f"<blockquote>{escape(Truncator(version.caption).chars(240))}</blockquote>"
            f"{diff}{decided}</li>"
        )
    n_versions, n_reviews = len(creative.history), creative.n_reviews
    return (
        f'<details class="history"><summary>History: {n_versions} version{pluralize(n_versions)}, '
        f"{n_reviews} review{pluralize(n_reviews)}</summary>"
        f'<ol reversed>{"".join(items)}</ol></details>'
    )


class _CardRenderer:
    """What every card of one response shares: the user's permissions, URLs, the CSRF input."""

    def __init__(self, context):
        user = context["user"]
        self.user_pk = user.pk
        self.can_review = user.has_perm("campaigns.review_creative")
        self.can_revise = user.has_perm("campaigns.change_creative")
        self.self_approval = context.get("self_approval")
        self.next_url = context.get("next_url") or ""
        self.csrf = _csrf_input(context)
        self.approve_url = url_for_rows("campaigns:approve", int)
        self.reject_url = url_for_rows("campaigns:reject", int)
        self.revise_url = url_for_rows("campaigns:revise", int)

    def _pending_actions(self, creative, reject_form) -> str:
        pk, version = creative.pk, creative.version
        hidden = (f'{self.csrf}<input type="hidden" name="version" value="{version}">'
                  f'<input type="hidden" name="next" value="{escape(self.next_url)}">')
        swap = f'hx-target="#creative-{pk}" hx-swap="outerHTML" hx-disabled-elt="find button"'
        if creative.author_id == self.user_pk and not self.self_approval:
            approve = "<p><small>You wrote this version: another approver approves it.</small></p>"
        else:
            url = self.approve_url(pk)
            approve = (f'<form method="post" action="{url}" hx-post="{url}" {swap}>{hidden}'
                       f'<button type="submit">Approve v{version}</button></form>')
        reason, errors = "", ""
        if reject_form:
            reason = escape(reject_form["reason"].value() or "")
            if reject_form["reason"].errors:
                errors = ('<ul class="errorlist">'
                          + "".join(f"<li>{escape(e)}</li>" for e in reject_form["reason"].errors)
                          + "</ul>")
        url = self.reject_url(pk)
        return (
            f'<div class="queue-card__actions"><label class="queue-card__select">'
            f'<input type="checkbox" name="creative" value="{pk}:{version}" form="bulk-approve"> Select</label>'
            f"{approve}"
            f'<form method="post" action="{url}" hx-post="{url}" {swap} class="queue-card__reject">{hidden}'
            f'<label for="reason-{pk}">Reason for rejecting</label>'
            f'<textarea id="reason-{pk}" name="reason" rows="2" required placeholder="What must change?">'
            f"{reason}</textarea>{errors}"
            f'<button type="submit" class="secondary">Reject</button></form></div>'
        )

    def _decision(self, creative, reject_form) -> str:
        last = creative.last_review
        if creative.status == "pending":
            if self.can_review:
                return self._pending_actions(creative, reject_form)
            return "<p><small>Awaiting an approver's decision.</small></p>"
        if creative.status == "rejected":
            html = ""
            if last:
                html = (f'<p class="queue-card__decided queue-card__decided--rejected">Rejected by '
                        f"{escape(person(last.reviewer, 'someone'))}: “{escape(last.reason)}”</p>")
            if self.can_revise:
                url = f"{self.revise_url(creative.pk)}?next={escape(quote(self.next_url, safe='/'))}"
                return html + (
                    f'<div class="queue-card__actions"><a role="button" href="{url}" hx-get="{url}" '
                    f'hx-target="#creative-{creative.pk}" hx-swap="outerHTML">Revise</a></div>'
                )
            return html + "<p><small>Waiting for an operator to revise it.</small></p>"
        if creative.status == "approved" and last:
            return (f'<p class="queue-card__decided">Approved by {escape(person(last.reviewer, "someone"))} '
                    f"at {_date(last.reviewed_at, 'H:i')}.</p>")
        return ""

    def card(self, creative, *, card_error: str = "", reject_form=None) -> str:
        pillar = f" · {escape(creative.pillar)}" if creative.pillar else ""
        campaign_name, brand_name = _names(creative)
        error = (f'<p class="queue-card__error" role="alert">{escape(card_error)}</p>'
                 if card_error else "")
        return (
            f'<article class="queue-card" id="creative-{creative.pk}">'
            f'<header class="queue-card__head"><h3>{escape(campaign_name)} '
            f"<small>· {escape(brand_name)}</small></h3>"
            f'<span><span class="status-badge status-badge--{escape(creative.status)}">'
            f"{escape(STATUS_LABELS.get(creative.status, creative.status))}</span> <small>v{creative.version}{pillar}</small></span>"
            f"</header>{error}{post_preview(creative)}"
            f"{self._decision(creative, reject_form)}{_history(creative)}</article>"
        )


@register.simple_tag(takes_context=True)
def queue_cards(context, cards) -> SafeString:
    """The queue's cards (`selectors.with_history` rows), as the page and step 3 list them."""
    renderer = _CardRenderer(context)
    return mark_safe("".join(renderer.card(creative) for creative in cards))  # noqa: S308


@register.simple_tag
def pending_inputs(cards) -> SafeString:
    """The "approve all" form's hidden inputs: each pending card's "pk:version"."""
    return mark_safe("".join(  # noqa: S308 (two integers)
        f'<input type="hidden" name="creative" value="{int(c.pk)}:{int(c.version)}">' for c in cards
    ))


@register.simple_tag(takes_context=True)
def queue_card(context, creative) -> SafeString:
    """One card, e.g. swapped in place after a decision, with its error and the reject form."""
    return mark_safe(_CardRenderer(context).card(  # noqa: S308 (escaped in card())
        creative, card_error=context.get("card_error") or "", reject_form=context.get("reject_form"),
    ))


# --- the campaign list --------------------------------------------------------------------------


@register.simple_tag
def campaign_rows(campaigns) -> SafeString:
    """The campaign list's <tr>s (`selectors.campaign_page`'s CampaignRows)."""
    detail_url = url_for_rows("campaigns:detail", int)
    step_url = url_for_rows("campaigns:step", int, int)
    language = translation.get_language()  # read once: it costs more than a row's two dates
    rows = []
    for c in campaigns:
        step = c.step
        if c.n_creatives:
            posts = f"{c.n_approved} approved · {c.n_pending} to review"
            if c.n_rejected:
                posts += f" · {c.n_rejected} rejected"
        else:
            posts = "none yet"
        rows.append(
            f'<tr><td><a href="{detail_url(c.pk)}">{escape(c.name)}</a></td>'
            f"<td>{escape(c.brand_name)}</td>"
            f'<td><span class="step-badge step-badge--{escape(step.key)}">{escape(step.label)}</span></td>'
            f"<td>{escape(platform_names(c.platforms))}</td>"
            f'<td class="nowrap">{_day(c.start_date, "j M", language)} – '
            f'{_day(c.end_date, "j M Y", language)}</td>'
            f"<td>{escape(c.cadence)}</td>"
            f'<td class="nowrap">{posts}</td>'
            f'<td><a href="{step_url(c.pk, step.wizard_step)}">Open step {step.wizard_step}</a></td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)
