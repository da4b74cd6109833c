from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/add/", views.intake_add, name="add"),
    path("intake/imports/upload/", views.import_upload, name="import_upload"),
    path("intake/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("intake/imports/<int:pk>/start/", views.import_start, name="import_start"),
    # Dry runs and undo (issue 15)
    path("intake/imports/<int:pk>/dry-run/", views.import_dry_run, name="import_dry_run"),
    path("intake/imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("intake/imports/<int:pk>/rejected.csv", views.import_rejected_csv, name="import_rejected"),
    path("intake/form/<slug:slug>/", views.public_form, name="public_form"),
    path("intake/form/<slug:slug>/thanks/", views.public_form_thanks, name="public_form_thanks"),
    path("leadgen/", views.leadgen, name="leadgen"),
    path("leadgen/bulk/", views.leadgen_bulk, name="bulk"),
    path("leadgen/board/", views.leadgen_board, name="board"),
    path("leadgen/route/", views.leads_route, name="route"),
    path("leadgen/taking/", views.lead_taker_toggle, name="taking"),
    path("leadgen/leads/<int:pk>/", views.lead_detail, name="detail"),
    path("leadgen/leads/<int:pk>/status/", views.lead_status, name="status"),
    path("leadgen/leads/<int:pk>/log/", views.lead_log, name="log"),
    path("leadgen/leads/<int:pk>/owner/", views.lead_owner, name="owner"),
    path("leadgen/rules/", views.scoring_rules, name="rules"),
    path("leadgen/rules/add/", views.scoring_rule_edit, name="rule_add"),
    path("leadgen/rules/<int:pk>/", views.scoring_rule_edit, name="rule_edit"),
    path("leadgen/rules/<int:pk>/delete/", views.scoring_rule_delete, name="rule_delete"),
    path("leadgen/rules/recompute/", views.scoring_recompute, name="rescore"),
]
