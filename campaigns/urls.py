from django.urls import path

from campaigns.views import client_review, sections

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", sections.index, name="index"),
    path("strategy/", sections.strategy, name="strategy"),
    path("creatives/", sections.creatives, name="creatives"),
    path("execution/", sections.execution, name="execution"),
    path("monitoring/", sections.monitoring, name="monitoring"),
    # Client review links (issue 15)
    path("campaigns/<int:pk>/review-links/", client_review.links, name="review_links"),
    path("campaigns/<int:pk>/review-links/new/", client_review.link_create, name="review_link_create"),
    path("campaigns/<int:pk>/review-links/<int:link_pk>/revoke/", client_review.link_revoke,
         name="review_link_revoke"),
    path("review/<str:token>/", client_review.client_page, name="client_review"),
]
