from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare/", views.bare),
    path("bench/minimal-leads/", views.minimal_leads),
    path("", include("aicmo_site.urls")),
]
