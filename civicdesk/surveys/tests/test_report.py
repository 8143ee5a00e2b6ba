"""The monthly report: who may read it, figures that agree with known answers, and CSV."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from civicdesk.cases.tests.factories import PartnerFactory, ServiceFactory
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.surveys.models import SurveyInvitation
from civicdesk.surveys.selectors import satisfaction_report

pytestmark = pytest.mark.django_db
URL = "/staff/insight/satisfaction/"
MARCH = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def answers(council, service, make_customer, make_contact, make_case):
    """In March 2026: four surveys about phone contacts (three answered), one about a web case
    (answered), one not answered; one in February and one in April, which March leaves out."""
    libraries = ServiceFactory(organisation=council, name="Libraries")
    made = []

    def invite(*, about, sent=MARCH, rating=None, resolved=None, comment=""):
        field = "case" if hasattr(about, "reference") and hasattr(about, "opened_at") else "contact"
        made.append(
            SurveyInvitation.objects.create(
                organisation=council, customer=about.customer, channel="email", sent_at=sent,
                expires_at=sent + datetime.timedelta(days=14),
                answered_at=sent + datetime.timedelta(days=1) if rating else None,
                rating=rating, resolved=resolved, comment=comment, **{field: about},
            )
        )  # fmt: skip

    invite(about=make_contact(make_customer(forenames="Zed")), rating=5, resolved=True,
           comment="Very helpful on the phone")  # fmt: skip
    invite(about=make_contact(make_customer()), rating=4, resolved=True)
    invite(about=make_contact(make_customer()), rating=1, resolved=False, comment="Nobody came")
    invite(about=make_contact(make_customer()))
    invite(about=make_case(make_customer(), service=libraries, channel="web"), rating=3)
    invite(about=make_contact(make_customer()), sent=MARCH - datetime.timedelta(days=30), rating=1)
    invite(about=make_contact(make_customer()), sent=MARCH + datetime.timedelta(days=30), rating=1)
    return made


def test_only_managers_and_administrators_read_it(client, agent, manager, council):
    assert client.get(URL).status_code == 302  # sign in first
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    partner = PartnerFactory(parent=council)
    adviser = MembershipFactory(
        team=TeamFactory(organisation=partner), role=Role.MANAGER
    ).user  # a partner's manager, even
    client.force_login(adviser)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}?format=csv").status_code == 403


def test_the_figures_agree_with_the_answers(council, answers, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        report = satisfaction_report(
            organisation=council, month=datetime.date(2026, 3, 1), channel_labels={}
        )

    overall = report.overall
    assert (overall.sent, overall.answered) == (5, 4)
    assert overall.response_rate == 80
    assert overall.average == pytest.approx((5 + 4 + 1 + 3) / 4)
    assert overall.distribution == [(5, 1), (4, 1), (3, 1), (2, 0), (1, 1)]
    assert overall.resolved_percent == pytest.approx(200 / 3)  # 2 of 3 who said
    phone, web = report.by_channel
    assert (phone.label, phone.sent, phone.answered) == ("phone", 4, 3)
    assert (web.label, web.sent, web.answered, web.resolved_percent) == ("web", 1, 1, None)
    assert [(row.label, row.sent) for row in report.by_service] == [
        ("Bulky waste collection", 4),
        ("Libraries", 1),
    ]
    assert [(c.service, c.text) for c in report.comments] == [
        ("Bulky waste collection", "Nobody came"),
        ("Bulky waste collection", "Very helpful on the phone"),
    ]


def test_the_page_shows_the_month_and_its_neighbours(client, manager, answers):
    client.force_login(manager)

    page = client.get(f"{URL}?month=2026-03").content.decode()

    assert "March 2026" in page
    assert "?month=2026-02" in page and "?month=2026-04" in page
    assert "80.0%" in page and "3.25" in page and "66.7%" in page
    assert "Very helpful on the phone" in page and "Libraries" in page
    assert "Zed" not in page  # comments carry the service and the date, never the customer


def test_a_bad_month_shows_this_month_with_no_next(client, manager):
    client.force_login(manager)

    page = client.get(f"{URL}?month=2026-13").content.decode()

    assert f"{timezone.localdate():%B %Y}" in page
    assert 'rel="next"' not in page and 'rel="prev"' in page


def test_the_tables_download_as_csv(client, manager, answers):
    client.force_login(manager)

    response = client.get(f"{URL}?month=2026-03&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "satisfaction-2026-03.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Table", "Group", "Surveys sent", "Answered"]
    assert rows[1] == [
        "Overall",
        "All surveys",
        "5",
        "4",
        "80.0",
        "3.2",
        "1",
        "1",
        "1",
        "0",
        "1",
        "66.7",
    ]
    assert [
        "By service",
        "Libraries",
        "1",
        "1",
        "100.0",
        "3.0",
        "0",
        "0",
        "1",
        "0",
        "0",
        "",
    ] in rows
    assert not any("Nobody came" in cell for row in rows for cell in row)
