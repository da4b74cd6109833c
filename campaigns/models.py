"""Brands, campaigns, their plans and creatives, reviews, publications and metrics."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from campaigns.publishing.platforms import PLATFORM_CHOICES, platform_rules


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    industry = models.CharField(max_length=120, blank=True)
    audience = models.TextField(blank=True, help_text="Who the brand speaks to.")
    voice = models.TextField("voice and tone", blank=True)
    default_hashtags = models.JSONField(default=list, blank=True)
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to="brands/", blank=True)
    color = models.CharField(
        max_length=7, default="#1d4ed8", help_text="The brand's main colour, as #rrggbb."
    )
    mastodon_instance = models.CharField(
        max_length=120, blank=True, help_text="Host of the brand's Mastodon account, e.g. mastodon.social."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:140]
        super().save(*args, **kwargs)


class PostingMode(models.TextChoices):
    PROOF = "proof", "Proof (simulated)"
    MANUAL = "manual", "Manual"
    LIVE = "live", "Live (adapters)"


class Campaign(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=180, unique=True)
    objectives = models.TextField()
    platforms = models.JSONField(default=list)
    cadence = models.PositiveSmallIntegerField("posts per week", default=3)
    start_date = models.DateField()
    end_date = models.DateField()
    posting_mode = models.CharField(
        max_length=10, choices=PostingMode.choices, blank=True, default=""
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_campaigns",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    client_approval_final = models.BooleanField(
        default=False,
        help_text="A client's approval through a review link is final; otherwise an Approver "
        "must approve as well.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The campaign list's order: its first page reads 50 entries instead of sorting all.
            models.Index(fields=["-created_at", "-id"], name="campaign_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="campaign_name_unique_per_brand"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(cadence__gte=1) & Q(cadence__lte=21), name="campaign_cadence_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.name} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    def is_active_on(self, day) -> bool:
        return self.start_date <= day <= self.end_date and not self.is_complete


class Plan(models.Model):
    """One version of a campaign's plan; the highest version is the plan in force."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(default=1)
    pillars = models.JSONField(default=list)
    audience = models.TextField(blank=True)
    key_messages = models.JSONField(default=list)
    calendar = models.JSONField(default=list, help_text="Slots: {at, platform, pillar}.")
    engine = models.CharField(max_length=40)
    rationale = models.TextField(blank=True, help_text="What shaped this plan, in plain words.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="plan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.version} for {self.campaign}"


class CreativeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Creative(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="creatives")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    scheduled_at = models.DateTimeField()
    pillar = models.CharField(max_length=120, blank=True)
    caption = models.TextField()
    hashtags = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=500, blank=True)
    call_to_action = models.CharField(max_length=200, blank=True)
    image = models.ImageField(upload_to="creatives/", blank=True)
    image_alt = models.TextField("image alt text", blank=True)
    image_brief = models.TextField(blank=True, help_text="What the image should show.")
    status = models.CharField(
        max_length=10, choices=CreativeStatus.choices, default=CreativeStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="authored_creatives", help_text="Who wrote the current version.",
    )
    # Whether its publication is published or skipped. Database triggers (migration 0010) keep
    # it from campaigns_publication whatever writes there, and recompute it whenever a write of
    # the creative names it, so Execution reads its waiting posts from the small index below
    # instead of anti-joining every approved post with the done publications.
    publication_done = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="creative_status_sched"),
            models.Index(fields=["campaign", "platform", "scheduled_at"], name="creative_camp_plat"),
            # The library's newest-first page reads 24 rows instead of sorting every creative.
            models.Index(fields=["scheduled_at", "id"], name="creative_sched_pk"),
            # Execution's waiting posts: approved creatives anti-joined (merge, by id) with the
            # done publications, read from the two indexes alone.
            models.Index(fields=["id", "campaign", "platform", "scheduled_at"],
                         condition=models.Q(status="approved"), name="creative_approved"),
            # The calendar reads a period's posts by time alone: covering, the scan is index-only.
            models.Index(
                fields=["scheduled_at", "id"], include=["status", "campaign", "platform"],
                name="creative_sched_cover",
            ),
            # The approval queue's order, over the posts in it only (a few thousand of 22,000).
            models.Index(fields=["scheduled_at", "id"], name="creative_queue_sched",
                         condition=models.Q(status__in=["pending", "rejected"])),
            # The campaign list's progress counts, read from the index alone.
            models.Index(fields=["campaign", "status", "id"], name="creative_campaign_status"),
            # Execution's waiting posts (approved, publication neither published nor skipped), in
            # its order, with what its counts group by: a few hundred entries of 23,000 posts.
            models.Index(fields=["scheduled_at", "id"], include=["campaign", "platform"],
                         condition=Q(status="approved", publication_done=False),
                         name="creative_waiting"),
        ]
        permissions = [("review_creative", "Can approve or reject creatives")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} post v{self.version} ({self.campaign.name})"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:creative", args=[self.pk])

    @property
    def rules(self):
        return platform_rules(self.platform)

    def full_text(self) -> str:
        """The text as posted: caption, then the link and hashtags where the platform takes them."""
        parts = [self.caption.strip()]
        if self.link:
            parts.append(self.link)
        if self.hashtags:
            parts.append(" ".join(f"#{tag}" for tag in self.hashtags))
        return "\n\n".join(part for part in parts if part)

    def text_length(self) -> int:
        return self.rules.count(self.full_text())

    def over_limit(self) -> bool:
        return self.text_length() > self.rules.caption_limit

    def preview_parts(self) -> tuple[str, str]:
        """(shown, hidden): where the platform folds the text behind "see more"."""
        text = self.full_text()
        cut = self.rules.see_more_at
        if not cut or len(text) <= cut:
            return text, ""
        # Platforms fold at a word boundary before the limit.
        boundary = text.rfind(" ", 0, cut)
        boundary = boundary if boundary > cut * 0.6 else cut
        return text[:boundary], text[boundary:]

    def is_due_by(self, moment=None) -> bool:
        return self.scheduled_at <= (moment or timezone.now())


class CreativeVersion(models.Model):
    """What a creative said at each version, so reviews and diffs see what was decided on."""

    creative = models.ForeignKey(Creative, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    caption = models.TextField()
    hashtags = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=500, blank=True)
    call_to_action = models.CharField(max_length=200, blank=True)
    scheduled_at = models.DateTimeField()
    image_alt = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["creative", "version"]
        constraints = [
            models.UniqueConstraint(fields=["creative", "version"], name="creative_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Creative {self.creative_id} v{self.version}"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CHANGES_REQUESTED = "changes", "Changes requested"


class ReviewSource(models.TextChoices):
    AGENCY = "agency", "Agency approver"
    CLIENT = "client", "Client"
    AUTONOMY = "autonomy", "Autonomy worker"


class Review(models.Model):
    creative = models.ForeignKey(Creative, on_delete=models.CASCADE, related_name="reviews")
    version = models.PositiveIntegerField()
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=ReviewSource.choices, default=ReviewSource.AGENCY)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reviews",
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    client_link = models.ForeignKey(
        "ClientReviewLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews",
        help_text="The client review link a client's decision came through.",
    )

    class Meta:
        ordering = ["creative", "reviewed_at"]
        constraints = [
            # One decision per version and source: a double click or a race records one.
            models.UniqueConstraint(
                fields=["creative", "version", "source"], name="review_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} v{self.version} of creative {self.creative_id}"


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    POSTING = "posting", "Posting"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Publication(models.Model):
    """A creative's one appearance on its platform. One row per creative, by constraint."""

    creative = models.OneToOneField(Creative, on_delete=models.CASCADE, related_name="publication")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    mode = models.CharField(max_length=10, choices=PostingMode.choices)
    status = models.CharField(
        max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.PENDING
    )
    simulated = models.BooleanField(default=False)
    url = models.URLField(max_length=500, blank=True)
    external_id = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    skip_reason = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="publication_status_pub"),
            # Published or skipped: what Execution's queue leaves out (see creative_approved).
            models.Index(fields=["creative"], condition=models.Q(status__in=["published", "skipped"]),
                         name="publication_done"),
        ]

    def __str__(self) -> str:
        label = " (SIMULATED)" if self.simulated else ""
        return f"{self.get_platform_display()} publication of creative {self.creative_id}{label}"


class PublishAttempt(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["publication", "started_at"]

    def __str__(self) -> str:
        return f"Attempt at {self.started_at:%Y-%m-%d %H:%M} ({'ok' if self.ok else 'failed'})"


class MetricSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "CSV import"
    SIMULATED = "simulated", "Simulated"
    ADAPTER = "adapter", "Adapter"


class MetricImport(models.Model):
    """One CSV import of figures: what it held, what went in, and each refused row's reason."""

    filename = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="Refused rows: {row, url, reason}; row 1 is the header."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}: {self.imported} of {self.rows_total} rows imported"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:monitoring_import_result", args=[self.pk])


class MetricSnapshot(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="snapshots")
    captured_at = models.DateTimeField(default=timezone.now)
    impressions = models.PositiveIntegerField(default=0)
    reach = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    video_views = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=MetricSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    warnings = models.JSONField(
        default=list, blank=True,
        help_text="Why the figures look wrong (accepted anyway), e.g. clicks above impressions.",
    )
    metric_import = models.ForeignKey(
        MetricImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="snapshots",
        help_text="The CSV import that brought these figures in, if any.",
    )

    class Meta:
        ordering = ["publication", "-captured_at"]
        get_latest_by = "captured_at"
        indexes = [
            models.Index(fields=["publication", "-captured_at"], name="snapshot_pub_latest"),
        ]

    def __str__(self) -> str:
        return f"Metrics of publication {self.publication_id} at {self.captured_at:%Y-%m-%d %H:%M}"

    @property
    def engagements(self) -> int:
        return self.likes + self.comments + self.shares + self.saves

    @property
    def is_simulated(self) -> bool:
        return self.source == MetricSource.SIMULATED or self.publication.simulated

class ClientReviewLink(models.Model):
    """A link a client opens without an account to review one campaign's posts.

    Only the SHA-256 of the token is stored; the token itself is shown once, when made.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="review_links")
    label = models.CharField(max_length=120, help_text="Who it is for, e.g. the client's name.")
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8, help_text="The token's last characters.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Review link for {self.label} (…{self.token_hint})"

    def is_usable(self, moment=None) -> bool:
        return self.revoked_at is None and (moment or timezone.now()) < self.expires_at

class AdapterKind(models.TextChoices):
    WEBHOOK = "webhook", "Signed webhook (Zapier, Make, n8n…)"
    MASTODON = "mastodon", "Mastodon API"
    BLUESKY = "bluesky", "Bluesky API"


class PublishingCredential(models.Model):
    """How live mode reaches one brand's account on one platform.

    `config` holds what may be shown (the webhook URL, the API base, the handle); `secret` (the
    webhook signing secret, the Mastodon access token or the Bluesky app password) and `session`
    (Bluesky's JWT pair) are never shown back in full and never logged.
    """

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="credentials")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    adapter = models.CharField(max_length=10, choices=AdapterKind.choices)
    config = models.JSONField(default=dict, blank=True)
    secret = models.TextField(blank=True)
    session = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform"], name="credential_once_per_brand_platform"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} · {self.get_platform_display()} via {self.get_adapter_display()}"

    def __repr__(self) -> str:  # never let a secret reach a log line through repr()
        return f"<PublishingCredential {self.pk} {self.brand_id}/{self.platform}/{self.adapter}>"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        rules = platform_rules(self.platform) if self.platform in dict(PLATFORM_CHOICES) else None
        if rules and self.adapter and self.adapter not in rules.live_adapters:
            allowed = ", ".join(rules.live_adapters)
            raise ValidationError(
                {"adapter": f"{rules.name} can be reached through: {allowed}."}
            )
        if not isinstance(self.config, dict):
            raise ValidationError({"config": "The configuration must be a JSON object."})

    @property
    def masked_secret(self) -> str:
        if not self.secret:
            return "(not set)"
        return "••••" + self.secret[-4:] if len(self.secret) >= 12 else "••••"

