"""The public pages: the simulator's card details pages and the generic return page."""

from django.urls import path

from civicdesk.payments.views import public, simulator

app_name = "payments"
urlpatterns = [
    path("simulator/<str:payment_id>/", simulator.card_details, name="simulator-card"),
    path("simulator/<str:payment_id>/cancel/", simulator.cancel, name="simulator-cancel"),
    path("return/<str:secret>/", public.payment_return, name="return"),
]
