"""Background work for campaigns, through Django's Tasks API (see jobs/ and docs/OPERATIONS.md).

Each task receives only ids and loads everything from the database, so a worker on another
machine runs it exactly as the web process would. With the immediate backend (SQLite, tests)
the task runs inside the request that enqueued it.

The error an operator is shown is the job's last error line ("<module>.<Class>: message");
`operator_message()` turns the ones these tasks raise on purpose back into the plain message.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.tasks import task
from django.utils.module_loading import import_string

from campaigns.generation import GenerationError
from jobs.models import Job
from jobs.retries import PermanentError, retry_limit


class NothingToDo(PermanentError):
    """The campaign or post is gone, or the service refused: trying again cannot help."""


class NotPosted(PermanentError):
    """The adapter answered but did not post; its own retries are already used up."""


class PostingConflict(PermanentError):
    """The post is already recorded, skipped or being posted by another worker."""


# The exceptions whose message is written for the operator, in the order they are tried.
OPERATOR_ERRORS: tuple[type[Exception], ...] = (
    GenerationError, NotPosted, PostingConflict, NothingToDo,
)


def _user(user_id: int | None):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


@task
def generate_campaign(campaign_id: int, user_id: int | None) -> dict:
    """Writes the campaign's next plan and its posts (campaigns.services.campaign_generate).

    A GenerationError (the engine timed out or answered nonsense) is retried within
    TASKS_MAX_ATTEMPTS: an engine that failed once often answers the next time."""
    from campaigns import selectors
    from campaigns.models import Campaign
    from campaigns.services import campaign_generate

    try:
        campaign = selectors.campaign_get(campaign_id)
    except Campaign.DoesNotExist:
        raise NothingToDo(f"Campaign {campaign_id} no longer exists.") from None
    outcome = campaign_generate(campaign=campaign, user=_user(user_id))
    return {"plan_version": outcome.plan.version, "engine": outcome.plan.engine,
            "created": outcome.created, "replaced": outcome.replaced, "kept": outcome.kept}


@retry_limit(1)  # never post twice: the service already retries what an adapter may retry
@task
def publish_live(creative_id: int, user_id: int | None) -> dict:
    """Posts one approved creative through its brand's live adapter
    (campaigns.publishing.services.publication_publish_live, safe with several workers)."""
    from campaigns.models import Creative
    from campaigns.publishing.services import PublishingConflict, publication_publish_live

    creative = (Creative.objects.select_related("campaign__brand")
                .filter(pk=creative_id).first())
    if creative is None:
        raise NothingToDo(f"Post {creative_id} no longer exists.")
    try:
        outcome = publication_publish_live(creative=creative, user=_user(user_id))
    except PublishingConflict as exc:
        raise PostingConflict(exc.message) from None
    except ValidationError as exc:
        raise NothingToDo(" ".join(exc.messages)) from None
    if not outcome.ok:
        raise NotPosted(outcome.message)
    return {"publication": outcome.publication.pk}


def operator_error(job: Job) -> tuple[type[Exception] | None, str]:
    """The exception class (a subclass of one of OPERATOR_ERRORS, or None) and the message to
    show for a failed job: the plain message for our own errors, the whole error line
    otherwise."""
    match = re.match(r"([\w.]+): (.*)", job.error, re.DOTALL)
    if match:
        try:
            error_class = import_string(match.group(1))
        except ImportError:
            error_class = None
        if isinstance(error_class, type) and issubclass(error_class, OPERATOR_ERRORS):
            return error_class, match.group(2)
    return None, job.error
