import datetime
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connections
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from civicdesk.cases.models import CaseStatus
from civicdesk.cases.tests.factories import CaseFactory, ServiceFactory
from civicdesk.contacts.models import Contact
from civicdesk.monitoring import metrics
from civicdesk.monitoring.apps import check_metrics_are_protected
from civicdesk.monitoring.services import record_heartbeat
from civicdesk.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def samples(content: bytes) -> dict[tuple[str, frozenset], float]:
    """Every sample by name and labels; parsing also checks the exposition format."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(content.decode())
        for sample in family.samples
    }


def scrape(client, **headers) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content)


def by_organisation(slug: str) -> frozenset:
    return frozenset({("organisation", slug)})


def test_database_figures_per_organisation(client, council, django_assert_max_num_queries):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    service = ServiceFactory(organisation=council)
    CaseFactory(service=service, resolution_due_at=now + hour)  # on time
    CaseFactory(service=service, resolution_due_at=now - hour)  # late
    # Paused before it fell due: not late, however long the pause. Paused when already late: late.
    CaseFactory(service=service, resolution_due_at=now - hour, clock_paused_at=now - 2 * hour)
    CaseFactory(service=service, resolution_due_at=now - 2 * hour, clock_paused_at=now - hour)
    CaseFactory(
        service=service,
        status=CaseStatus.CLOSED,
        is_open=False,
        resolved_at=now,
        resolution_due_at=now - hour,
    )
    other = OrganisationFactory(name="Ashby District Council", slug="ashby")
    for started_at in (now, now, now - datetime.timedelta(days=2)):
        Contact.objects.create(
            organisation=council, channel="phone", outcome="resolved", started_at=started_at
        )
    record_heartbeat(worker="worker-1", at=now - datetime.timedelta(seconds=10))

    with django_assert_max_num_queries(5):
        figures = scrape(client)

    assert figures[("civicdesk_database_up", frozenset())] == 1
    assert figures[("civicdesk_cases_open", by_organisation(council.slug))] == 4
    assert figures[("civicdesk_cases_past_resolution_due", by_organisation(council.slug))] == 2
    assert figures[("civicdesk_contacts_today", by_organisation(council.slug))] == 2
    for name in ("cases_open", "cases_past_resolution_due", "contacts_today"):
        assert figures[(f"civicdesk_{name}", by_organisation(other.slug))] == 0
    assert figures[("civicdesk_tasks_ready", frozenset())] == 0
    assert figures[("civicdesk_tasks_oldest_ready_age_seconds", frozenset())] == 0
    assert 10 <= figures[("civicdesk_worker_heartbeat_age_seconds", frozenset())] < 20


def test_requests_are_counted_by_route_name_never_by_path(client, agent):
    client.force_login(agent)
    client.get("/staff/customers/CUS-0000123X/?email=ada@example.com")
    client.get("/no-such-page/CUS-0000123X/")
    response = client.get("/metrics")
    text = response.content.decode()
    figures = samples(response.content)
    customer = {"method": "GET", "route": "console:customer", "status": "4xx"}
    assert figures[("civicdesk_http_requests_total", frozenset(customer.items()))] >= 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "4xx"}
    assert figures[("civicdesk_http_requests_total", frozenset(unmatched.items()))] >= 1
    bucket = {"route": "console:customer", "le": "+Inf"}
    assert figures[("civicdesk_http_request_duration_seconds_bucket", frozenset(bucket.items()))]
    assert "CUS-0000123X" not in text
    assert "example.com" not in text
    assert "python_info" not in text  # the client's default collectors name versions and paths


def test_invented_methods_make_no_new_series(client):
    client.generic("BREW", "/health/")
    text = client.get("/metrics").content.decode()
    assert "BREW" not in text
    assert 'method="OTHER",route="monitoring:health"' in text


@pytest.mark.parametrize(
    ("remote_addr", "headers", "status"),
    [
        ("127.0.0.1", {}, 200),
        ("::1", {}, 200),
        ("203.0.113.9", {}, 404),
        # A proxy on this machine forwarding a request from outside.
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 404),
        ("127.0.0.1", {"HTTP_FORWARDED": "for=203.0.113.9"}, 404),
    ],
)
def test_without_a_token_only_this_machine_may_read(client, remote_addr, headers, status):
    response = client.get("/metrics", REMOTE_ADDR=remote_addr, **headers)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 404),
        ("Bearer wrong-token", 404),
        ("Basic c2NyYXBlcjpzY3JhcGUtbWUtcGxlYXNl", 404),
        ("Bearer scrape-me-please", 200),
        ("bearer  scrape-me-please ", 200),
    ],
)
def test_with_a_token_only_its_bearer_may_read(client, settings, authorization, status):
    settings.CIVICDESK_METRICS_TOKEN = "scrape-me-please"
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    # Even from this machine: the token, once set, is the only way in.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", **headers).status_code == status


def test_a_refused_post_looks_like_any_other_refusal(client, settings):
    settings.CIVICDESK_METRICS_TOKEN = "scrape-me-please"
    assert client.post("/metrics").status_code == 404
    allowed = {"HTTP_AUTHORIZATION": "Bearer scrape-me-please"}
    assert client.post("/metrics", **allowed).status_code == 405


def test_request_figures_are_served_while_the_database_is_down(client):
    client.get("/health/")
    refusal = OperationalError("could not connect to server")
    with mock.patch.object(connections["default"], "cursor", side_effect=refusal):
        figures = scrape(client)
    assert figures[("civicdesk_database_up", frozenset())] == 0
    assert not any(name.startswith("civicdesk_cases") for name, _labels in figures)
    health = {"method": "GET", "route": "monitoring:health", "status": "2xx"}
    assert figures[("civicdesk_http_requests_total", frozenset(health.items()))] >= 1


WORKER_PROCESS = """
import django
django.setup()
from civicdesk.monitoring import metrics
from civicdesk.monitoring.apps import check_metrics_are_protected
metrics.observe_request(method="GET", route="portal:track", status=200, seconds=0.03)
"""


def test_gunicorn_worker_processes_are_added_up(settings, tmp_path: Path):
    """Two processes count a request each, as two gunicorn workers would; a scrape answered
    by either (here, by the test's own process) reports both."""
    environment = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "civicdesk.test_settings",
    }
    for _worker in range(2):
        subprocess.run(
            [sys.executable, "-c", WORKER_PROCESS],
            env=environment,
            cwd=django_settings.BASE_DIR,
            check=True,
            timeout=60,
        )
    assert len(list(tmp_path.glob("*.db"))) == 4  # a counter and a histogram file per process
    settings.CIVICDESK_METRICS_MULTIPROC_DIR = str(tmp_path)
    figures = samples(metrics.exposition())
    track = {"method": "GET", "route": "portal:track", "status": "2xx"}
    assert figures[("civicdesk_http_requests_total", frozenset(track.items()))] == 2
    timed = frozenset({("route", "portal:track")})
    assert figures[("civicdesk_http_request_duration_seconds_count", timed)] == 2


def test_check_deploy_warns_while_no_token_is_set(settings):
    settings.CIVICDESK_METRICS_TOKEN = ""
    assert [message.id for message in check_metrics_are_protected(None)] == ["monitoring.W001"]
    settings.CIVICDESK_METRICS_TOKEN = "scrape-me-please"
    assert check_metrics_are_protected(None) == []
