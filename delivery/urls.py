from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/<slug:kind>.<slug:fmt>", views.export, name="export"),
]
