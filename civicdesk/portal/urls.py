"""The public portal: the A to Z, service pages, requests, tracking and residents' accounts."""

from django.urls import path

app_name = "portal"
urlpatterns: list = [
    # Each part of the portal adds its own lines here.
]
