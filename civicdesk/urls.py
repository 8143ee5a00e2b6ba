from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("civicdesk.monitoring.urls")),
    path("staff/", include("civicdesk.console.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("civicdesk.api.urls")),
    path("open311/v2/", include("civicdesk.api.open311.urls")),
    path("payments/", include("civicdesk.payments.urls")),
    path("", include("civicdesk.portal.urls")),
]
