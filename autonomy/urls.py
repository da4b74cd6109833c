from django.urls import path

from autonomy import views

app_name = "autonomy"

urlpatterns = [
    path("", views.index, name="index"),
    path("next/", views.dry_run, name="dry_run"),
    path("policy/", views.policy_edit, name="policy"),
    path("kill-switch/", views.kill_switch, name="kill_switch"),
    path("suggestions/<int:pk>/accept/", views.suggestion_decide, {"decision": "accept"},
         name="suggestion_accept"),
    path("suggestions/<int:pk>/dismiss/", views.suggestion_decide, {"decision": "dismiss"},
         name="suggestion_dismiss"),
]
