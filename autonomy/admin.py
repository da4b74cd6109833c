from django.contrib import admin, messages

from autonomy.models import AgentAction, AutonomyPolicy, KillSwitchEvent
from autonomy.services import kill_switch_set


@admin.register(AutonomyPolicy)
class AutonomyPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "kill_switch", "kill_switch_changed_by", "updated_at"]
    list_filter = ["level", "kill_switch"]
    search_fields = ["brand__name"]
    list_select_related = ["brand", "kill_switch_changed_by"]
    readonly_fields = ["kill_switch", "kill_switch_changed_at", "kill_switch_changed_by", "kill_switch_reason"]
    actions = ["turn_kill_switch_on"]

    @admin.action(description="Turn the kill switch ON (stops all autonomous actions)",
                  permissions=["toggle_kill_switch"])
    def turn_kill_switch_on(self, request, queryset):
        for policy in queryset:
            kill_switch_set(on=True, user=request.user, reason="Turned on from admin", policy=policy)
        messages.warning(request, "Kill switch on. Turn it off from the Autonomy section, with a reason.")

    def has_toggle_kill_switch_permission(self, request):
        return request.user.has_perm("autonomy.toggle_kill_switch")


@admin.register(AgentAction)
class AgentActionAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "level", "brand", "target_key", "decided_by", "created_at"]
    list_filter = ["status", "kind", "level"]
    search_fields = ["kind", "outcome", "target_key"]
    list_select_related = ["brand", "decided_by"]


@admin.register(KillSwitchEvent)
class KillSwitchEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "turned_on", "user", "reason"]
    list_filter = ["turned_on"]
    search_fields = ["reason"]
    list_select_related = ["user"]
