"""The workforce page in the console: who may read it, with and without a forecast, and CSV."""

import csv
import io
from datetime import time, timedelta

import pytest

from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.workforce.tests.conftest import WEEK, at

pytestmark = pytest.mark.django_db
URL = "/staff/insight/workforce/"
PAGE = f"{URL}?channel=phone&week={WEEK.isoformat()}&day={WEEK.isoformat()}"


@pytest.fixture
def partner_manager(council):
    agency = Organisation.objects.create(
        name="Citizens Advice Kingsmere", slug="ca-kingsmere", kind="partner", parent=council
    )
    return MembershipFactory(team=TeamFactory(organisation=agency), role=Role.MANAGER).user


def test_who_may_read_it(client, agent, manager, partner_manager, contact_centre, standard):
    for user in (
        agent,
        MembershipFactory(team=contact_centre, role=Role.TEAM_LEADER).user,
        partner_manager,
    ):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    for user in (manager, MembershipFactory(team=contact_centre, role=Role.ADMINISTRATOR).user):
        client.force_login(user)
        assert client.get(URL).status_code == 200
    client.logout()
    assert client.get(URL).status_code == 302


def test_without_a_forecast_it_says_how_one_is_made(client, manager, standard, rota):
    client.force_login(manager)
    page = client.get(PAGE).content.decode()
    assert "There is no forecast for this channel yet." in page
    assert "manage.py make_forecasts" in page
    assert 'role="img"' not in page
    assert "08:00 to 08:30" in page  # the rota still shows


def test_without_a_standard_it_says_so(client, manager):
    client.force_login(manager)
    page = client.get(f"{URL}?channel=face_to_face").content.decode()
    assert "There is no staffing standard for face to face" in page


def test_with_a_forecast(client, manager, standard, rota, make_forecast_slots):
    make_forecast_slots({at(WEEK, 10): 30.0, at(WEEK, 17, 30): 40.0})
    client.force_login(manager)

    response = client.get(PAGE)

    page = response.content.decode()
    assert "Over the last 4 weeks the forecast was out by 12.3% on average (WAPE), bias +2.1%" in (
        " ".join(page.split())
    )
    assert "Forecast made on 29 November 2026 at 02:00" in page
    assert 'role="img"' in page and "1 of 20 half-hours are short of agents" in page
    assert "10:00 to 10:30" in page and "30.0" in page
    assert "short</strong>" in page  # 17:30: 5 rostered against 40 contacts, said in words
    assert f"week={(WEEK - timedelta(days=7)).isoformat()}" in page
    assert f"week={(WEEK + timedelta(days=7)).isoformat()}" in page
    day = response.context["day"]
    assert [row.starts_at.time() for row in day.rows if row.short] == [time(17, 30)]


def test_a_week_outside_the_forecast(client, manager, standard, rota, make_forecast_slots):
    make_forecast_slots({at(WEEK, 10): 30.0})
    client.force_login(manager)
    later = WEEK + timedelta(weeks=8)
    page = client.get(f"{URL}?week={later.isoformat()}").content.decode()
    assert "This week is outside it" in page


def test_the_week_as_csv(client, manager, standard, rota, make_forecast_slots):
    make_forecast_slots({at(WEEK, 10): 30.0, at(WEEK + timedelta(days=1), 11): 12.0})
    client.force_login(manager)

    # Any day of the week gives the week from its Monday.
    response = client.get(f"{URL}?week={(WEEK + timedelta(days=3)).isoformat()}&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "workforce-phone-2026-11-30.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Date", "Starts", "Forecast contacts"]
    assert len(rows) == 1 + 20 + 1  # Monday's rota from 08:00 to 18:00, Tuesday's 11:00
    ten = next(row for row in rows if row[:2] == ["2026-11-30", "10:00"])
    assert ten[2] == "30.00" and ten[3] == "240" and ten[6] == "18"
    assert next(r for r in rows if r[0] == "2026-12-01")[:3] == ["2026-12-01", "11:00", "12.00"]
