"""What the console may do by itself (the policy) and what it did (the action log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AutonomyLevel(models.TextChoices):
    OFF = "off", "Off"
    SUGGEST = "suggest", "Suggest"
    ASSISTED = "assisted", "Assisted"
    AUTONOMOUS = "autonomous", "Autonomous"


class AutonomyPolicy(models.Model):
    """The global policy has no brand; a brand's own row overrides it."""

    brand = models.OneToOneField(
        "campaigns.Brand", on_delete=models.CASCADE, null=True, blank=True,
        related_name="autonomy_policy",
    )
    level = models.CharField(max_length=12, choices=AutonomyLevel.choices, default=AutonomyLevel.OFF)
    daily_limits = models.JSONField(default=dict, blank=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    live_platforms = models.JSONField(default=list, blank=True)
    kill_switch = models.BooleanField(default=False)
    kill_switch_changed_at = models.DateTimeField(null=True, blank=True)
    kill_switch_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    kill_switch_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "autonomy policies"
        constraints = [
            # brand is unique already; this keeps a single global (brand-less) policy.
            models.UniqueConstraint(
                Q(brand__isnull=True), condition=Q(brand__isnull=True), name="one_global_policy"
            ),
        ]
        permissions = [("toggle_kill_switch", "Can turn the autonomy kill switch on or off")]

    def __str__(self) -> str:
        return f"Autonomy policy for {self.brand or 'all brands'}"


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class AgentAction(models.Model):
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=ActionStatus.choices)
    policy = models.ForeignKey(AutonomyPolicy, on_delete=models.SET_NULL, null=True, blank=True)
    level = models.CharField(max_length=12, choices=AutonomyLevel.choices)
    brand = models.ForeignKey("campaigns.Brand", on_delete=models.SET_NULL, null=True, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    outcome = models.TextField(blank=True)
    target_key = models.CharField(
        max_length=80, blank=True, help_text="What the action is about, e.g. creative:12."
    )
    target_url = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="action_status_recent"),
            # The log's newest actions of every status but "proposed" (the Autonomy page's "last
            # actions"): walked newest first instead of sorting the whole log (100,000 actions:
            # 23 -> 0.03 ms).
            models.Index(fields=["-created_at"], name="action_recent"),
            models.Index(fields=["kind", "brand", "created_at"], name="action_kind_brand_day"),
        ]
        constraints = [
            # Two workers proposing the same thing at once leave one open suggestion.
            models.UniqueConstraint(
                fields=["kind", "target_key"],
                condition=Q(status="proposed"),
                name="one_open_suggestion_per_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"


class KillSwitchEvent(models.Model):
    """Every time the kill switch is turned on or off: who, when and why."""

    policy = models.ForeignKey(AutonomyPolicy, on_delete=models.CASCADE, related_name="kill_events")
    turned_on = models.BooleanField()
    reason = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Kill switch {'on' if self.turned_on else 'off'} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"
