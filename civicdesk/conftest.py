"""Fixtures shared by every app's tests."""

import io
import signal
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus

from civicdesk.core.tests import browser
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists so that it stops
    first: a browser test that was a worker's first left the server's connection open while
    the test database was dropped ("being accessed by other users" on PostgreSQL)."""
    return live_server


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_test_database(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any other session still on it.

    A thread (the live server's, a worker's) can leave its connection open past its last test;
    PostgreSQL then refuses to drop the database ("being accessed by other users") and the run
    ends in an error although every test passed."""
    yield
    from django.db import connection, connections

    with django_db_blocker.unblock():
        # From a new session: this one may have been ended already (a test that restores a
        # backup or drops a database), and would only report that on its next query.
        connections.close_all()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings, tmp_path_factory):
    """Tests run with DEBUG off but without `collectstatic`: serve assets from the finders.

    The manifest storage would fail on every `{% static %}`, and WhiteNoise warns (an error
    here) about a missing STATIC_ROOT, so both are pointed at what a test run has.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)


@pytest.fixture
def council(db):
    return OrganisationFactory()


@pytest.fixture
def contact_centre(council):
    return TeamFactory(
        organisation=council, name="Contact centre", slug="contact-centre", is_contact_centre=True
    )


@pytest.fixture
def agent(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.AGENT).user


@pytest.fixture
def run_tasks(transactional_db) -> Callable[..., list]:
    """Run every queued task through the real worker, `db_worker --batch`, and return them.

    Services queue tasks with `transaction.on_commit`, so tests using this fixture commit for
    real (`transactional_db`): what a service queued in a transaction that was rolled back never
    runs. A task that fails fails the test with its traceback, unless `allow_failures=True`.
    """
    from django_tasks_db.models import DBTaskResult

    done = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]

    def run(*, allow_failures: bool = False) -> list[DBTaskResult]:
        before = set(DBTaskResult.objects.filter(status__in=done).values_list("id", flat=True))
        # The worker installs its own signal handlers; the test run keeps pytest's.
        names = [name for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)]
        numbers = [getattr(signal, name) for name in names]
        handlers = {number: signal.getsignal(number) for number in numbers}
        try:
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
        results = list(
            DBTaskResult.objects.filter(status__in=done)
            .exclude(id__in=before)
            .order_by("enqueued_at", "id")
        )
        failed = [result for result in results if result.status == TaskResultStatus.FAILED]
        if failed and not allow_failures:
            pytest.fail(
                "\n\n".join(
                    f"Task {result.task_path} failed:\n{result.traceback}" for result in failed
                )
            )
        return results

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `browser` skip where Chromium or Playwright is missing. The live server
    starts before the per-test settings that give it a STATIC_ROOT and serves assets through
    the staticfiles finders, so WhiteNoise's notice about that folder is moot."""
    missing = browser.missing()
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, for every app's browser tests."""
    return {
        **browser_type_launch_args,
        "executable_path": browser.CHROMIUM,
        "args": browser.CHROMIUM_ARGS,
    }


@pytest.fixture
def context(context):
    """pytest-playwright's browser context, failing the test if any page it showed had a fault:
    a refusal under the Content Security Policy, a script error (browser.watch_for_faults)."""
    faults: list[str] = []
    browser.watch_for_faults(context, faults)
    yield context
    assert not faults, "\n".join(faults)


@pytest.fixture
def new_context(new_context):
    """Each further browser context a test opens is held to the same."""
    faults: list[str] = []

    def make(**options):
        made = new_context(**options)
        browser.watch_for_faults(made, faults)
        return made

    yield make
    assert not faults, "\n".join(faults)


@pytest.fixture
def check_page(request: pytest.FixtureRequest) -> browser.PageChecks:
    """check_page(page, name): axe's WCAG 2.2 AA checks on the page (browser.PageChecks)."""
    return browser.PageChecks(request)
