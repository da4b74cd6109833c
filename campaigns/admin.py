from django import forms
from django.contrib import admin

from campaigns.models import (
    Brand,
    Campaign,
    ClientReviewLink,
    Creative,
    CreativeVersion,
    MetricImport,
    MetricSnapshot,
    Plan,
    Publication,
    PublishAttempt,
    PublishingCredential,
    Review,
)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "website", "created_at"]
    search_fields = ["name", "industry", "audience"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "start_date", "end_date", "cadence", "posting_mode", "owner", "completed_at"]
    list_filter = ["posting_mode", "brand", "start_date"]
    search_fields = ["name", "objectives", "brand__name"]
    list_select_related = ["brand", "owner"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "start_date"


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["campaign", "version", "engine", "created_by", "created_at"]
    list_filter = ["engine"]
    search_fields = ["campaign__name", "audience"]
    list_select_related = ["campaign__brand", "created_by"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    readonly_fields = ["version", "decision", "reason", "source", "reviewer", "reviewed_at"]


@admin.register(Creative)
class CreativeAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "platform", "scheduled_at", "status", "version", "author"]
    list_filter = ["status", "platform", "campaign__brand"]
    search_fields = ["caption", "campaign__name", "campaign__brand__name"]
    list_select_related = ["campaign__brand", "author"]
    date_hierarchy = "scheduled_at"
    inlines = [ReviewInline]


@admin.register(CreativeVersion)
class CreativeVersionAdmin(admin.ModelAdmin):
    list_display = ["creative", "version", "author", "created_at"]
    search_fields = ["caption"]
    list_select_related = ["creative__campaign", "author"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["creative", "version", "decision", "source", "reviewer", "reviewed_at"]
    list_filter = ["decision", "source"]
    search_fields = ["reason", "creative__caption"]
    list_select_related = ["creative__campaign", "reviewer"]


class AttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    readonly_fields = ["started_at", "finished_at", "ok", "status_code", "message"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["creative", "platform", "mode", "status", "simulated", "url", "published_at"]
    list_filter = ["platform", "mode", "status", "simulated"]
    search_fields = ["url", "external_id", "creative__caption"]
    list_select_related = ["creative__campaign", "published_by"]
    inlines = [AttemptInline]


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "publication", "captured_at", "impressions", "reach", "likes", "clicks", "source",
        "has_warnings",
    ]
    list_filter = ["source", "publication__platform", "publication__simulated"]
    search_fields = ["publication__url", "publication__creative__campaign__name"]
    list_select_related = ["publication__creative"]
    raw_id_fields = ["publication", "metric_import"]
    date_hierarchy = "captured_at"

    @admin.display(boolean=True, description="warnings")
    def has_warnings(self, snapshot: MetricSnapshot) -> bool:
        return bool(snapshot.warnings)


@admin.register(MetricImport)
class MetricImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "created_at", "rows_total", "imported", "created_by"]
    search_fields = ["filename"]
    list_filter = ["created_at"]
    list_select_related = ["created_by"]
    readonly_fields = ["filename", "rows_total", "imported", "errors", "created_by", "created_at"]


class PublishingCredentialForm(forms.ModelForm):
    """The secret is write-only: never rendered back; left blank, the stored one is kept."""

    secret = forms.CharField(
        required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Webhook signing secret, Mastodon access token or Bluesky app password. "
                  "Leave blank to keep the current one.",
    )

    class Meta:
        model = PublishingCredential
        fields = ["brand", "platform", "adapter", "config", "secret", "enabled"]

    def clean_secret(self) -> str:
        value = self.cleaned_data["secret"]
        if not value and self.instance.pk:
            return self.instance.secret
        return value


@admin.register(PublishingCredential)
class PublishingCredentialAdmin(admin.ModelAdmin):
    form = PublishingCredentialForm
    list_display = ["brand", "platform", "adapter", "enabled", "masked_secret", "updated_at"]
    list_filter = ["adapter", "platform", "enabled"]
    search_fields = ["brand__name"]
    list_select_related = ["brand"]
    readonly_fields = ["masked_secret", "session_state", "updated_at"]

    @admin.display(description="session")
    def session_state(self, obj: PublishingCredential) -> str:
        return "stored (refreshed automatically)" if obj.session.get("accessJwt") else "none"


@admin.register(ClientReviewLink)
class ClientReviewLinkAdmin(admin.ModelAdmin):
    list_display = ["label", "campaign", "token_hint", "created_by", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["label", "campaign__name", "token_hint"]
    list_select_related = ["campaign__brand", "created_by"]
    # The token itself is never stored; its hash is no use to a person.
    exclude = ["token_hash"]
    readonly_fields = ["token_hint", "created_by", "created_at", "last_used_at", "revoked_by"]


@admin.register(PublishAttempt)
class PublishAttemptAdmin(admin.ModelAdmin):
    list_display = ["publication", "started_at", "finished_at", "ok", "status_code"]
    list_filter = ["ok", "publication__platform"]
    search_fields = ["message", "publication__url"]
    list_select_related = ["publication"]
    readonly_fields = ["publication", "started_at", "finished_at", "ok", "status_code", "message"]
