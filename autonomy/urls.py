from django.urls import path

from autonomy import views

app_name = "autonomy"

urlpatterns = [
    path("", views.index, name="index"),
]
