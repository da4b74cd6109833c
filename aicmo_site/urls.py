from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from aicmo_site import views
from aicmo_site.auth import LoginView

admin.site.site_header = "AICMO administration"
admin.site.site_title = "AICMO admin"
admin.site.index_title = "Data behind the operator console"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("campaigns.urls")),
    path("", include("leads.urls")),
    path("autonomy/", include("autonomy.urls")),
    path("learn/", include("kaizen.urls")),
    path("delivery/", include("delivery.urls")),
    path("", include("diagnostics.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Errors outside views (middleware, the session save) land here; a database outage among them.
handler500 = "aicmo_site.views.server_error"
