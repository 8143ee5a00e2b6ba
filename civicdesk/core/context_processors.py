from django.conf import settings
from django.http import HttpRequest


def service_identity(request: HttpRequest) -> dict[str, str]:
    """The council's service name for the generic header."""
    return {"service_name": settings.CIVICDESK_SERVICE_NAME}
