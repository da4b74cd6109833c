from django.urls import path

from campaigns.views import queue, sections, wizard

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", wizard.index, name="index"),
    path("strategy/", sections.strategy, name="strategy"),
    path("creatives/", sections.creatives, name="creatives"),
    path("execution/", sections.execution, name="execution"),
    path("monitoring/", sections.monitoring, name="monitoring"),
    # Campaigns area (issue 4): the wizard, the campaign page and the approval queue.
    path("campaigns/new/", wizard.new, name="new"),
    path("campaigns/<int:pk>/", wizard.detail, name="detail"),
    path("campaigns/<int:pk>/step/<int:step>/", wizard.step, name="step"),
    path("campaigns/queue/", queue.queue, name="queue"),
    path("campaigns/queue/approve/", queue.bulk_approve, name="bulk_approve"),
    path("campaigns/queue/<int:pk>/", queue.card, name="queue_card"),
    path("campaigns/queue/<int:pk>/approve/", queue.approve, name="approve"),
    path("campaigns/queue/<int:pk>/reject/", queue.reject, name="reject"),
    path("campaigns/queue/<int:pk>/revise/", queue.revise, name="revise"),
]
