from django.contrib import admin

from leads.models import Lead, LeadActivity


class ActivityInline(admin.TabularInline):
    model = LeadActivity
    extra = 0
    readonly_fields = ["kind", "from_status", "to_status", "note", "actor", "created_at"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "company", "status", "score", "source", "owner", "created_at"]
    list_filter = ["status", "source", "consent"]
    search_fields = ["email", "name", "company", "title"]
    list_select_related = ["owner", "campaign"]
    raw_id_fields = ["campaign", "creative", "owner"]
    inlines = [ActivityInline]


@admin.register(LeadActivity)
class LeadActivityAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["lead__email", "note"]
    list_select_related = ["lead", "actor"]
