"""Settings for the test suite: the production settings, with the test environment set first."""

import os

os.environ.setdefault("CIVICDESK_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("CIVICDESK_FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("CIVICDESK_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The test client and the live server speak plain HTTP.
os.environ.setdefault("CIVICDESK_SSL_REDIRECT", "0")
# Staff sign in with a password alone unless a test asks for two-factor authentication.
os.environ.setdefault("CIVICDESK_STAFF_TWO_FACTOR", "0")
# Sync Playwright and the ORM share one thread in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from civicdesk.settings import *  # noqa: F403
