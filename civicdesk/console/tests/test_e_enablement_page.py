"""The e-enablement and channel shift page: managers and administrators only, figures that
agree with the records."""

import datetime

import pytest
from django.utils import timezone

from civicdesk.catalogue.services import set_interaction
from civicdesk.contacts.services import log_contact
from civicdesk.insight import services as rollups
from civicdesk.insight.selectors import channel_shift
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
URL = "/staff/insight/e-enablement/"


@pytest.fixture
def manager(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.MANAGER).user


def test_only_managers_and_administrators_read_it(client, agent, manager, contact_centre):
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    assert "Figures" not in client.get("/staff/").content.decode()
    client.force_login(MembershipFactory(team=contact_centre, role=Role.ADMINISTRATOR).user)
    assert client.get(URL).status_code == 200
    client.force_login(manager)
    assert 'href="/staff/insight/"' in client.get("/staff/").content.decode()


def test_the_page_shows_the_figures_and_the_channel_mix(client, manager, make_service, council):
    tips = make_service("Recycling", channels=["phone"], interaction_types=[8])
    benefits = make_service("Housing Benefit")
    set_interaction(actor=None, service=benefits, interaction_type=0, channels=["face_to_face"])
    now = timezone.now()
    for channel, count in (("phone", 3), ("web", 1)):
        for _ in range(count):
            log_contact(
                actor=manager, organisation=council, channel=channel, outcome="resolved",
                service=tips, started_at=now,
            )  # fmt: skip
    rollups.refresh(organisation=council)
    client.force_login(manager)

    page = client.get(URL).content.decode()

    assert "0.0%" in page  # neither offered type is e-enabled
    assert "Recycling" in page and "Housing Benefit" in page
    assert "25.0%" in page  # one contact of four on the web this quarter


def test_channel_shift_counts_each_quarter_to_date(council, agent, make_service):
    service = make_service("Recycling")
    today = datetime.date(2026, 11, 23)
    moments = {
        datetime.datetime(2026, 10, 1, 0, 5, tzinfo=datetime.UTC): "web",
        datetime.datetime(2026, 9, 30, 22, 0, tzinfo=datetime.UTC): "phone",  # Q3 in London
        datetime.datetime(2026, 1, 2, 9, 0, tzinfo=datetime.UTC): "email",
        datetime.datetime(2024, 12, 31, 9, 0, tzinfo=datetime.UTC): "phone",  # too early
    }
    for moment, channel in moments.items():
        log_contact(
            actor=agent, organisation=council, channel=channel, outcome="resolved",
            service=service, started_at=moment,
        )  # fmt: skip

    rollups.refresh(organisation=council)
    quarters = channel_shift(organisation=council, quarters=8, today=today)

    assert len(quarters) == 8 and quarters[0].starts == datetime.date(2025, 1, 1)
    assert quarters[-1].starts == datetime.date(2026, 10, 1)
    assert quarters[-1].counts == {"web": 1} and quarters[-1].digital_share == 100
    assert quarters[-2].counts == {"phone": 1}
    assert quarters[-4].counts == {"email": 1}
    assert sum(q.total for q in quarters) == 3
    assert quarters[0].digital_share is None
