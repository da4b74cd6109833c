"""Changes a person makes to autonomy: the policy, the kill switch, and suggestions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from autonomy.actions import ACTIONS, ActionRefused
from autonomy.models import ActionStatus, AgentAction, AutonomyPolicy, KillSwitchEvent
from autonomy.policy import global_policy

# What a person needs to accept a suggestion of each kind.
ACCEPT_PERMISSIONS = {
    "approve_creative": "campaigns.review_creative",
    "publish_creative": "campaigns.add_publication",
    "generate_drafts": "campaigns.add_creative",
    "rescore_leads": "leads.change_lead",
    "route_leads": "leads.change_lead",
    "prepare_posting_session": "campaigns.view_publication",
}


@transaction.atomic
def kill_switch_set(*, on: bool, user, reason: str, policy: AutonomyPolicy | None = None) -> AutonomyPolicy:
    reason = reason.strip()
    if not on and not reason:
        raise ValidationError({"reason": "Say why autonomy may act again."})
    policy = AutonomyPolicy.objects.select_for_update().get(pk=(policy or global_policy()).pk)
    if policy.kill_switch == on:
        return policy
    policy.kill_switch = on
    policy.kill_switch_changed_at = timezone.now()
    policy.kill_switch_changed_by = user
    policy.kill_switch_reason = reason
    policy.save(update_fields=["kill_switch", "kill_switch_changed_at", "kill_switch_changed_by",
                               "kill_switch_reason", "updated_at"])
    KillSwitchEvent.objects.create(policy=policy, turned_on=on, reason=reason or "—", user=user)
    return policy


def _target_of(action: AgentAction):
    model_name, _, pk = action.target_key.partition(":")
    kind = ACTIONS[action.kind]
    model = kind.candidates().model
    if model._meta.model_name != model_name:
        raise ActionRefused("This suggestion no longer points at anything.")
    return model.objects.select_for_update().get(pk=pk)


@transaction.atomic
def suggestion_accept(*, action: AgentAction, user) -> AgentAction:
    """Does what was suggested, as the person who accepted it."""
    action = AgentAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.PROPOSED:
        raise ValidationError("This suggestion has already been decided.")
    if not user.has_perm(ACCEPT_PERMISSIONS.get(action.kind, "autonomy.change_agentaction")):
        raise PermissionDenied("Your role cannot accept this kind of suggestion.")
    kind = ACTIONS[action.kind]
    try:
        target = _target_of(action)
        if not kind.candidates().filter(pk=target.pk).exists():
            raise ActionRefused("The work was already done or is no longer due.")
        with transaction.atomic():
            outcome = kind.act(target)
    except (ActionRefused, ValidationError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        action.status = ActionStatus.SKIPPED
        action.outcome = f"Accepted by {user}, but not done: {message}"
    except kind.candidates().model.DoesNotExist:
        action.status = ActionStatus.SKIPPED
        action.outcome = "What this suggestion was about no longer exists."
    else:
        action.status = ActionStatus.ACCEPTED
        action.outcome = f"Accepted by {user}: {outcome.summary}"
        action.target_url = outcome.url
    action.decided_by = user
    action.save(update_fields=["status", "outcome", "target_url", "decided_by", "updated_at"])
    return action


@transaction.atomic
def suggestion_dismiss(*, action: AgentAction, user) -> AgentAction:
    action = AgentAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.PROPOSED:
        raise ValidationError("This suggestion has already been decided.")
    action.status = ActionStatus.DISMISSED
    action.decided_by = user
    action.outcome = f"Dismissed by {user}."
    action.save(update_fields=["status", "decided_by", "outcome", "updated_at"])
    return action
