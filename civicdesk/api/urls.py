from django.urls import path, re_path

from civicdesk.api import notify_callbacks
from civicdesk.api.v1.api import unknown_path
from civicdesk.api.v1.api import urls as api_v1_urls
from civicdesk.payments.views.webhook import webhook as payments_webhook

app_name = "api"
urlpatterns = [
    path(
        "notify/delivery-status",
        notify_callbacks.delivery_status,
        name="notify-delivery-status",
    ),
    path("payments/webhook", payments_webhook, name="payments-webhook"),
    path("v1/", api_v1_urls()),
    re_path(r"^v1/(?P<rest>.*)$", unknown_path),
]
