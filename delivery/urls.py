from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/<slug:kind>.<slug:fmt>", views.export, name="export"),
    path("campaign/<int:pk>/report/", views.campaign_report, name="report"),
    path("campaign/<int:pk>/make/<slug:kind>/", views.campaign_make, name="make"),
    path("files/<int:pk>/", views.record_download, name="download"),
]
