from django.urls import path

from campaigns.views import (
    client_review,
    creatives,
    execution,
    monitoring,
    queue,
    strategy,
    wizard,
)

app_name = "campaigns"

urlpatterns = [
    # Section pages
    path("campaigns/", wizard.index, name="index"),
    path("strategy/", strategy.strategy, name="strategy"),
    path("creatives/", creatives.creatives, name="creatives"),
    path("execution/", execution.execution, name="execution"),
    path("monitoring/", monitoring.monitoring, name="monitoring"),
    # Campaigns (issue 4): the wizard, the campaign page and the approval queue.
    path("campaigns/new/", wizard.new, name="new"),
    path("campaigns/<int:pk>/", wizard.detail, name="detail"),
    path("campaigns/<int:pk>/step/<int:step>/", wizard.step, name="step"),
    path("campaigns/queue/", queue.queue, name="queue"),
    path("campaigns/queue/approve/", queue.bulk_approve, name="bulk_approve"),
    path("campaigns/queue/<int:pk>/", queue.card, name="queue_card"),
    path("campaigns/queue/<int:pk>/approve/", queue.approve, name="approve"),
    path("campaigns/queue/<int:pk>/reject/", queue.reject, name="reject"),
    path("campaigns/queue/<int:pk>/revise/", queue.revise, name="revise"),
    # Strategy and Creatives (issue 7): plans, the calendar, the library and a creative's page.
    path("strategy/plans/<int:pk>/", strategy.plan_detail, name="plan"),
    path("strategy/plans/<int:pk>/v<int:version>/", strategy.plan_detail, name="plan_version"),
    path("strategy/plans/<int:pk>/edit/", strategy.plan_edit, name="plan_edit"),
    path("creatives/<int:pk>/", creatives.creative_detail, name="creative"),
    path("creatives/<int:pk>/edit/", creatives.creative_edit, name="creative_edit"),
    path("creatives/<int:pk>/count/", creatives.creative_count, name="creative_count"),
    path("creatives/<int:pk>/adapt/", creatives.creative_adapt_view, name="creative_adapt"),
    path("creatives/<int:pk>/submit/", creatives.creative_submit_view, name="creative_submit"),
    # Execution (issue 5): the queue, posting pages, sessions and the checklist.
    path("execution/adapters/", execution.credentials, name="execution_credentials"),
    path("execution/adapters/save/", execution.credential_save_view,
         name="execution_credential_save"),
    path("execution/campaign/<int:pk>/checklist/", execution.checklist,
         name="execution_checklist"),
    path("execution/campaign/<int:pk>/complete/", execution.checklist_complete,
         name="execution_complete"),
    path("execution/campaign/<int:pk>/<slug:platform>/session/", execution.session_start,
         name="execution_session"),
    path("execution/<slug:platform>/<int:pk>/", execution.post_page, name="execution_post"),
    path("execution/<slug:platform>/<int:pk>/posted/", execution.post_mark_posted,
         name="execution_mark_posted"),
    path("execution/<slug:platform>/<int:pk>/skip/", execution.post_skip, name="execution_skip"),
    path("execution/<slug:platform>/<int:pk>/simulate/", execution.post_simulate,
         name="execution_simulate"),
    path("execution/<slug:platform>/<int:pk>/publish/", execution.post_publish_live,
         name="execution_publish"),
    # Monitoring (issue 8): figures per publication, CSV import of figures.
    path("monitoring/publication/<int:pk>/", monitoring.publication_figures,
         name="monitoring_publication"),
    path("monitoring/publication/<int:pk>/figures/", monitoring.publication_figures_add,
         name="monitoring_figures_add"),
    path("monitoring/import/", monitoring.metrics_import, name="monitoring_import"),
    path("monitoring/import/<int:pk>/", monitoring.metrics_import_result,
         name="monitoring_import_result"),
    path("monitoring/import/<int:pk>/errors.csv", monitoring.metrics_import_errors,
         name="monitoring_import_errors"),
    # Client review links (issue 15)
    path("campaigns/<int:pk>/review-links/", client_review.links, name="review_links"),
    path("campaigns/<int:pk>/review-links/new/", client_review.link_create,
         name="review_link_create"),
    path("campaigns/<int:pk>/review-links/<int:link_pk>/revoke/", client_review.link_revoke,
         name="review_link_revoke"),
    path("campaigns/<int:pk>/review-links/policy/", client_review.approval_policy,
         name="review_policy"),
    path("review/<str:token>/", client_review.client_page, name="client_review"),
]
