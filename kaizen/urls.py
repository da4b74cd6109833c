from django.urls import path

from kaizen import views

app_name = "kaizen"

urlpatterns = [
    path("", views.index, name="index"),
]
