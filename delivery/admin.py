from django.contrib import admin

from delivery.models import DeliveryRecord


@admin.register(DeliveryRecord)
class DeliveryRecordAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "campaign", "size", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["filename", "sha256", "campaign__name"]
    list_select_related = ["campaign", "created_by"]
    readonly_fields = ["sha256", "size"]
