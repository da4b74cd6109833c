from django.urls import path

from campaigns.views import client_review, creatives, sections, strategy

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", sections.index, name="index"),
    path("strategy/", strategy.strategy, name="strategy"),
    path("creatives/", creatives.creatives, name="creatives"),
    path("execution/", sections.execution, name="execution"),
    path("monitoring/", sections.monitoring, name="monitoring"),
    # Strategy and Creatives (issue 7): plans, the calendar, the library and a creative's page.
    path("strategy/plans/<int:pk>/", strategy.plan_detail, name="plan"),
    path("strategy/plans/<int:pk>/v<int:version>/", strategy.plan_detail, name="plan_version"),
    path("strategy/plans/<int:pk>/edit/", strategy.plan_edit, name="plan_edit"),
    path("creatives/<int:pk>/", creatives.creative_detail, name="creative"),
    path("creatives/<int:pk>/edit/", creatives.creative_edit, name="creative_edit"),
    path("creatives/<int:pk>/count/", creatives.creative_count, name="creative_count"),
    path("creatives/<int:pk>/adapt/", creatives.creative_adapt_view, name="creative_adapt"),
    path("creatives/<int:pk>/submit/", creatives.creative_submit_view, name="creative_submit"),
    # Client review links (issue 15)
    path("campaigns/<int:pk>/review-links/", client_review.links, name="review_links"),
    path("campaigns/<int:pk>/review-links/new/", client_review.link_create, name="review_link_create"),
    path("campaigns/<int:pk>/review-links/<int:link_pk>/revoke/", client_review.link_revoke,
         name="review_link_revoke"),
    path("review/<str:token>/", client_review.client_page, name="client_review"),
]
