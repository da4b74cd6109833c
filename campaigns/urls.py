from django.urls import path

from campaigns.views import sections

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", sections.index, name="index"),
    path("strategy/", sections.strategy, name="strategy"),
    path("creatives/", sections.creatives, name="creatives"),
    path("execution/", sections.execution, name="execution"),
    path("monitoring/", sections.monitoring, name="monitoring"),
]
