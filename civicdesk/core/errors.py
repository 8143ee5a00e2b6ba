"""The page for a request Django refuses before any view runs (the site's handler400).

The JSON API and Open311 answer the same failures in their own formats: they read the body
inside their views, so the refusal reaches their error handlers, not this page.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Over DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS or _NUMBER_FILES: the sender
# can put these right by sending less.
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's own page says only "Bad Request (400)": say what happened and what to do,
    without the exception's text (it may name settings or hosts)."""
    return render(request, "400.html", {"too_large": isinstance(exception, TOO_LARGE)}, status=400)
