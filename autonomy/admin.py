from django.contrib import admin

from autonomy.models import AgentAction, AutonomyPolicy


@admin.register(AutonomyPolicy)
class AutonomyPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "kill_switch", "kill_switch_changed_by", "updated_at"]
    list_filter = ["level", "kill_switch"]
    search_fields = ["brand__name"]
    list_select_related = ["brand", "kill_switch_changed_by"]


@admin.register(AgentAction)
class AgentActionAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "level", "brand", "decided_by", "created_at"]
    list_filter = ["status", "kind", "level"]
    search_fields = ["kind", "outcome"]
    list_select_related = ["brand", "decided_by"]
