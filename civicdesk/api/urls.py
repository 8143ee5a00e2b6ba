from django.urls import path

from civicdesk.api import notify_callbacks

app_name = "api"
urlpatterns = [
    path(
        "notify/delivery-status",
        notify_callbacks.delivery_status,
        name="notify-delivery-status",
    ),
]
