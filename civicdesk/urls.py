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

# Django's own 400 page says only "Bad Request (400)"; ours says what to do.
handler400 = "civicdesk.core.errors.bad_request"
