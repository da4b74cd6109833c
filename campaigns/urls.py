from django.urls import path

from campaigns.views import monitoring, sections

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", sections.index, name="index"),
    path("strategy/", sections.strategy, name="strategy"),
    path("creatives/", sections.creatives, name="creatives"),
    path("execution/", sections.execution, name="execution"),
    path("monitoring/", monitoring.monitoring, name="monitoring"),
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
]
