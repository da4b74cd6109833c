from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("system/", views.system, name="system"),
    path("system/run/", views.system_run, name="system_run"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
