"""Time-based one-time passwords (RFC 6238) as authenticator apps make them.

An app and CivicDesk share a random key; each makes a 6-digit code from the key and the current
30-second time step with HMAC-SHA-1 (HOTP, RFC 4226). The standard library is enough for this.
"""

import base64
import hmac
import secrets
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# Codes from the step before and after the current one are accepted too: a phone's clock may
# be a little out, and a code typed as it changes is one step old by the time it arrives.
DRIFT_STEPS = 1
KEY_BYTES = 20  # 160 bits, the length RFC 4226 recommends for HMAC-SHA-1


def new_key() -> str:
    """A fresh random key, in the base32 that authenticator apps take (no padding)."""
    return base64.b32encode(secrets.token_bytes(KEY_BYTES)).decode("ascii").rstrip("=")


def key_bytes(key: str) -> bytes:
    """The key's bytes, from base32 as typed: spaces and lower case are allowed."""
    text = key.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def key_for_typing(key: str) -> str:
    """The key in groups of four characters, easier to read out and type into an app."""
    return " ".join(key[start : start + 4] for start in range(0, len(key), 4))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The HOTP value for `counter` (RFC 4226 section 5.3: dynamic truncation)."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float) -> int:
    """The number of whole 30-second steps since the Unix epoch at `at` (seconds)."""
    return int(at // STEP_SECONDS)


def totp(key: bytes, at: float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The code an authenticator app shows at time `at` (seconds since the Unix epoch)."""
    return hotp(key, time_step(at), digits=digits, digest=digest)


def matching_step(key: bytes, code: str, *, at: float) -> int | None:
    """The time step near `at` whose code `code` is, or None.

    The caller refuses a step it has accepted before: a code works once, so one seen over a
    shoulder or replayed from a log is no use.
    """
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = time_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(*, key: str, account: str, issuer: str) -> str:
    """The `otpauth://` address an app reads (from a QR code, or pasted) to add the account."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": key,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
