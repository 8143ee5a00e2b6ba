"""Walking a portal journey with Django's test client, shared by the journey's tests."""

from django.http import HttpResponse
from django.urls import reverse


def url(journey_id: str, step: str) -> str:
    """The address of one step of a journey."""
    return reverse("portal:step", args=[journey_id, step])


def step_of(response: HttpResponse) -> str:
    """The step a response sends the resident to next."""
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]
