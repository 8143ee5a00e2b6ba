"""GOV.UK Pay's webhook signatures: `Pay-Signature` is the hex HMAC-SHA256 of the body."""

import hashlib
import hmac

from django.conf import settings


def signing_secret() -> str:
    """The configured secret; with the simulator and none configured, one derived from the
    secret key, so that simulated webhooks are signed and checked like real ones."""
    if settings.CIVICDESK_PAY_WEBHOOK_SECRET:
        return settings.CIVICDESK_PAY_WEBHOOK_SECRET
    if settings.CIVICDESK_PAY_BACKEND == "simulator":
        return hmac.new(
            settings.SECRET_KEY.encode(), b"civicdesk.payments.simulator-webhooks", hashlib.sha256
        ).hexdigest()
    return ""


def sign(body: bytes, *, secret: str | None = None) -> str:
    key = signing_secret() if secret is None else secret
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def is_valid(body: bytes, signature: str) -> bool:
    """Constant-time; refuses everything while no secret is configured."""
    secret = signing_secret()
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(body, secret=secret), signature.strip().lower())
