"""The demo council's Open311 client, so FixMyStreet-style calls can be tried at once."""

from civicdesk.api.open311.models import Open311Client, hash_key
from civicdesk.api.open311.services import issue_client
from civicdesk.organisations.models import Organisation

DEMO_CLIENT_NAME = "FixMyStreet (demo)"
# Demo data only: a well-known key, so the README can show a working call.
DEMO_KEY = "demo-open311-key-quiet-harbour-4127"


def install_demo_client(organisation: Organisation) -> str:
    """Create the demo client with the demo key unless it is there; return the key."""
    if not Open311Client.objects.filter(key_hash=hash_key(DEMO_KEY)).exists():
        issue_client(
            actor=None,
            organisation=organisation,
            name=DEMO_CLIENT_NAME,
            rate_limit_per_minute=600,
            key=DEMO_KEY,
        )
    return DEMO_KEY
