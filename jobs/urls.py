from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("<str:task_result_id>/", views.job_status, name="status"),
]
