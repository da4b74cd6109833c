from django.contrib import admin

from leads.models import ImportJob, ImportLeadChange, Lead, LeadActivity, LeadTaker, ScoringRule


class ActivityInline(admin.TabularInline):
    model = LeadActivity
    extra = 0
    readonly_fields = ["kind", "from_status", "to_status", "note", "actor", "created_at"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "company", "status", "score", "source", "owner", "campaign",
                    "created_at"]
    list_filter = ["status", "source", "consent", "created_at"]
    search_fields = ["email", "name", "company", "title", "utm_campaign"]
    list_select_related = ["owner", "campaign"]
    raw_id_fields = ["campaign", "creative", "owner"]
    readonly_fields = ["score", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ActivityInline]


@admin.register(LeadActivity)
class LeadActivityAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["lead__email", "note"]
    list_select_related = ["lead", "actor"]
    raw_id_fields = ["lead", "actor"]


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "field", "condition", "value", "points", "active", "created_by"]
    list_filter = ["active", "field", "condition"]
    search_fields = ["value"]
    list_select_related = ["created_by"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "total_rows", "created_count", "updated_count",
                    "merged_count", "rejected_count", "created_by", "created_at", "undone_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["original_name", "error"]
    list_select_related = ["created_by"]
    readonly_fields = ["task_id", "started_at", "finished_at", "created_at", "written_at",
                       "undone_at", "undone_by", "undo_removed", "undo_restored", "undo_skipped"]


@admin.register(LeadTaker)
class LeadTakerAdmin(admin.ModelAdmin):
    list_display = ["user", "accepting", "last_assigned_at"]
    list_filter = ["accepting"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]


@admin.register(ImportLeadChange)
class ImportLeadChangeAdmin(admin.ModelAdmin):
    list_display = ["job", "lead", "created"]
    list_filter = ["created"]
    search_fields = ["lead__email", "job__original_name"]
    list_select_related = ["job", "lead"]
    raw_id_fields = ["job", "lead"]
