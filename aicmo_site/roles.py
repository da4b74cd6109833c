"""The three roles as Django groups, and the model permissions each one holds.

Viewer reads everything; Operator also adds and changes what operators work on; Approver holds
all of Operator's plus the decisions reserved to approvers. The groups are created by a data
migration and kept in step after every `migrate`, so a new model's permissions reach them.
"""

from __future__ import annotations

PROJECT_APPS = ("campaigns", "leads", "autonomy", "kaizen", "delivery", "diagnostics")

# Decisions only Approvers take.
APPROVER_ONLY = {
    "campaigns.review_creative",
    "autonomy.toggle_kill_switch",
    "autonomy.change_autonomypolicy",
}

# Actions that change data but are not operators' day-to-day work.
OPERATOR_EXCLUDED = {
    "campaigns.delete_brand",
    "campaigns.delete_campaign",
    "campaigns.delete_review",
    "campaigns.change_review",
    "campaigns.delete_publication",
    "campaigns.delete_publishattempt",
    "campaigns.change_publishattempt",
    "campaigns.delete_publishingcredential",
    "delivery.delete_deliveryrecord",
    "delivery.change_deliveryrecord",
    "autonomy.delete_agentaction",
    "autonomy.delete_autonomypolicy",
}

ROLE_NAMES = ("Operator", "Approver", "Viewer")


def permissions_for(role: str, available: list[str]) -> set[str]:
    """The codenames ('app.codename') a role holds, out of those that exist."""
    readable = {perm for perm in available if perm.split(".", 1)[1].startswith("view_")}
    if role == "Viewer":
        return readable
    operator = {
        perm for perm in available if perm not in APPROVER_ONLY and perm not in OPERATOR_EXCLUDED
    }
    if role == "Operator":
        return operator
    if role == "Approver":
        return operator | {perm for perm in available if perm in APPROVER_ONLY}
    raise ValueError(f"Unknown role {role!r}")


def sync_roles(group_model, permission_model) -> None:
    permissions = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in permission_model.objects.filter(
            content_type__app_label__in=PROJECT_APPS
        ).select_related("content_type")
    }
    for role in ROLE_NAMES:
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = permissions_for(role, list(permissions))
        group.permissions.set([permissions[name] for name in sorted(wanted)])


def sync_roles_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    sync_roles(Group.objects.db_manager(using).model, Permission)
