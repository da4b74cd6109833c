from django.urls import path

from kaizen import views

app_name = "kaizen"

urlpatterns = [
    path("", views.index, name="index"),
    path("articles/", views.article_list, name="articles"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/edit/", views.article_edit, name="article_edit"),
    path("articles/<slug:slug>/history/", views.article_history, name="article_history"),
    path("retrospectives/", views.retrospective_list, name="retrospectives"),
    path("retrospectives/open/", views.retrospectives_open, name="retrospectives_open"),
    path("retrospectives/<int:pk>/", views.retrospective_detail, name="retrospective"),
    path("retrospectives/<int:pk>/notes/", views.retrospective_update,
         name="retrospective_update"),
    path("retrospectives/<int:pk>/actions/", views.action_item_add, name="action_item_add"),
    path("actions/<int:pk>/done/", views.action_item_done, name="action_item_done"),
    path("insights/", views.insights_page, name="insights"),
]
