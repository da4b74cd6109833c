from django.urls import path

from campaigns.views import execution, sections

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", sections.index, name="index"),
    path("strategy/", sections.strategy, name="strategy"),
    path("creatives/", sections.creatives, name="creatives"),
    path("monitoring/", sections.monitoring, name="monitoring"),
    # Execution (issue 5): the queue, posting pages, sessions and the checklist.
    path("execution/", execution.execution, name="execution"),
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
    path("execution/<slug:platform>/<int:pk>/skip/", execution.post_skip,
         name="execution_skip"),
    path("execution/<slug:platform>/<int:pk>/simulate/", execution.post_simulate,
         name="execution_simulate"),
    path("execution/<slug:platform>/<int:pk>/publish/", execution.post_publish_live,
         name="execution_publish"),
]
