"""A message as it was sent: what staff read to check what a customer was told.

With the simulator this is the inbox: nothing leaves the machine, and this page shows it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicdesk.notify.selectors import message_for_user


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One email, text message or letter with its delivery status; 404 unless the user may
    see who it went to."""
    message = message_for_user(user=request.user, pk=pk)
    return render(request, "console/message.html", {"sent_message": message})
