from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("leadgen/", views.leadgen, name="leadgen"),
]
