"""The production settings pass Django's deployment checks, and every page carries the
security headers: a strict Content Security Policy with a per-request nonce, HSTS, no framing."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "CIVICDESK_SECRET_KEY": "a-long-random-production-secret-" + uuid.uuid4().hex * 2,
    "CIVICDESK_ALLOWED_HOSTS": "contact.kingsmere.gov.uk",
    "CIVICDESK_NOTIFY_BACKEND": "live",
    "CIVICDESK_NOTIFY_API_KEY": f"live-{uuid.uuid4()}-{uuid.uuid4()}",
    "CIVICDESK_PAY_BACKEND": "live",
    "CIVICDESK_PAY_API_KEY": "api_live_" + uuid.uuid4().hex,
    "CIVICDESK_PAY_WEBHOOK_SECRET": uuid.uuid4().hex,
    "CIVICDESK_METRICS_TOKEN": uuid.uuid4().hex,
    "CIVICDESK_BEHIND_PROXY": "1",
}


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CIVICDESK_", "DJANGO_")) and key != "DATABASE_URL"
    }
    environment |= PRODUCTION | {
        "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
        "CIVICDESK_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("console:sign-in"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    page = response.content.decode()
    # Every inline script and style carries this request's nonce; no style attributes.
    inline = [tag for tag in re.findall(r"<(?:script|style)\b[^>]*>", page) if "src=" not in tag]
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline)
    assert ' style="' not in page
    again = client.get(reverse("console:sign-in")).headers["Content-Security-Policy"]
    assert again != policy  # a fresh nonce for every response
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
