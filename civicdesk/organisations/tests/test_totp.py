"""One-time codes against the published test vectors: RFC 4226 appendix D, RFC 6238 appendix B."""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from civicdesk.organisations import totp

RFC_4226_KEY = b"12345678901234567890"
RFC_4226_VALUES = [
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
]  # fmt: skip

# RFC 6238's keys are the ASCII digits repeated to the hash's length.
RFC_6238_KEYS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC_6238_VALUES = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC_4226_VALUES)))
def test_hotp_matches_rfc_4226(counter, expected):
    assert totp.hotp(RFC_4226_KEY, counter) == expected


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC_6238_VALUES)
def test_totp_matches_rfc_6238(at, sha1, sha256, sha512):
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.totp(RFC_6238_KEYS[digest], at, digits=8, digest=digest) == expected


def test_the_six_digit_code_is_the_last_six_digits_of_the_eight():
    assert totp.totp(RFC_6238_KEYS["sha1"], 59) == "287082"


def test_a_new_key_is_160_random_bits_in_base32():
    key = totp.new_key()

    assert len(key) == 32 and "=" not in key
    assert len(totp.key_bytes(key)) == 20
    assert totp.new_key() != key


def test_a_key_typed_in_groups_and_lower_case_reads_the_same():
    key = base64.b32encode(RFC_4226_KEY).decode()

    grouped = totp.key_for_typing(key)

    assert grouped == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert totp.key_bytes(grouped.lower()) == RFC_4226_KEY


def test_codes_from_the_steps_either_side_are_accepted_and_no_further():
    key = RFC_6238_KEYS["sha1"]
    now = 1111111111.0
    step = totp.time_step(now)

    for offset in (-1, 0, 1):
        code = totp.hotp(key, step + offset)
        assert totp.matching_step(key, code, at=now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(key, totp.hotp(key, step + offset), at=now) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 456"])
def test_anything_but_six_digits_matches_nothing(code):
    assert totp.matching_step(RFC_4226_KEY, code, at=59.0) is None


def test_the_provisioning_uri_names_the_service_and_account():
    uri = totp.provisioning_uri(key="JBSWY3DPEHPK3PXP", account="apatel", issuer="Kingsmere Desk")

    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Kingsmere%20Desk:apatel"
    assert parse_qs(parts.query) == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["Kingsmere Desk"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
