from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("system/", views.system, name="system"),
]
