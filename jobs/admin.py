from django.contrib import admin

from jobs.models import Job, WorkerHeartbeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("label_or_task", "status", "attempts", "max_attempts", "started_by",
                    "enqueued_at", "finished_at", "error")
    list_filter = ("status", "backend", "task_path")
    search_fields = ("task_result_id", "label", "task_path", "error", "started_by__username")
    list_select_related = ("started_by",)
    readonly_fields = [field.name for field in Job._meta.fields]
    date_hierarchy = "enqueued_at"

    @admin.display(description="job", ordering="label")
    def label_or_task(self, job: Job) -> str:
        return job.label or job.task_name


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "queues", "started_at", "last_seen")
    list_filter = ("hostname",)
    search_fields = ("worker_id", "hostname")
    readonly_fields = [field.name for field in WorkerHeartbeat._meta.fields]
