from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from civicdesk.core.calendar import LONDON, WorkingCalendar
from civicdesk.organisations.models import Role
from civicdesk.organisations.selectors import (
    calendar_for,
    has_role,
    memberships_for,
    organisation_for,
    teams_for,
)
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kingsmere():
    return OrganisationFactory()


@pytest.fixture
def ashcombe():
    return OrganisationFactory(name="Ashcombe District Council", slug="ashcombe")


def join(user, organisation, when: date, role: str = Role.AGENT):
    with time_machine.travel(datetime(when.year, when.month, when.day, 12, tzinfo=UTC)):
        return MembershipFactory(user=user, team__organisation=organisation, role=role)


class TestMemberships:
    def test_oldest_first_with_teams_loaded(self, kingsmere, ashcombe, django_assert_num_queries):
        user = UserFactory()
        later = join(user, kingsmere, date(2026, 5, 1))
        earlier = join(user, ashcombe, date(2025, 1, 6))
        MembershipFactory()  # someone else

        with django_assert_num_queries(1):
            memberships = list(memberships_for(user))
            names = [(m.team.name, m.organisation.slug) for m in memberships]

        assert memberships == [earlier, later]
        assert names[0][1] == "ashcombe"

    def test_home_organisation_is_that_of_the_first_team_joined(self, kingsmere, ashcombe):
        user = UserFactory()
        join(user, kingsmere, date(2026, 5, 1))
        join(user, ashcombe, date(2025, 1, 6))
        assert organisation_for(user) == ashcombe

    def test_no_home_organisation_without_a_team(self):
        assert organisation_for(UserFactory()) is None
        assert organisation_for(AnonymousUser()) is None
        assert organisation_for(None) is None

    def test_teams(self, kingsmere, django_assert_num_queries):
        membership = MembershipFactory()
        second = MembershipFactory(user=membership.user, team__organisation=kingsmere)
        MembershipFactory()

        with django_assert_num_queries(1):
            teams = list(teams_for(membership.user))
            assert {team.organisation for team in teams} == {kingsmere}

        assert set(teams) == {membership.team, second.team}

    def test_nobody_has_teams_when_signed_out_or_deactivated(self):
        membership = MembershipFactory(user__is_active=False)
        assert not teams_for(membership.user).exists()
        assert not memberships_for(membership.user).exists()
        assert not teams_for(AnonymousUser()).exists()


class TestHasRole:
    def test_any_of_the_roles_named(self):
        membership = MembershipFactory(role=Role.TEAM_LEADER)
        user = membership.user
        assert has_role(user, Role.TEAM_LEADER)
        assert has_role(user, Role.MANAGER, Role.TEAM_LEADER)
        assert not has_role(user, Role.MANAGER)

    def test_roles_are_not_ranked(self):
        user = MembershipFactory(role=Role.ADMINISTRATOR).user
        assert not has_role(user, Role.AGENT)

    def test_within_one_organisation(self, kingsmere, ashcombe):
        user = MembershipFactory(team__organisation=kingsmere, role=Role.MANAGER).user
        assert has_role(user, Role.MANAGER, organisation=kingsmere)
        assert not has_role(user, Role.MANAGER, organisation=ashcombe)

    def test_superusers_are_administrators_everywhere(self, ashcombe):
        superuser = UserFactory(is_superuser=True)
        assert has_role(superuser, Role.ADMINISTRATOR)
        assert has_role(superuser, Role.ADMINISTRATOR, organisation=ashcombe)
        assert has_role(superuser, Role.AGENT, Role.ADMINISTRATOR)
        assert not has_role(superuser, Role.AGENT)

    def test_signed_out_and_deactivated_people_have_no_role(self):
        assert not has_role(AnonymousUser(), Role.AGENT)
        assert not has_role(None, Role.AGENT)
        membership = MembershipFactory(user__is_active=False, user__is_superuser=True)
        assert not has_role(membership.user, Role.AGENT, Role.ADMINISTRATOR)

    def test_a_role_must_be_named_and_known(self):
        user = MembershipFactory().user
        with pytest.raises(ValueError):
            has_role(user)
        with pytest.raises(ValueError, match="supervisor"):
            has_role(user, Role.AGENT, "supervisor")

    def test_one_query(self, django_assert_num_queries):
        user = MembershipFactory().user
        with django_assert_num_queries(1):
            has_role(user, Role.AGENT)


class TestCalendarFor:
    def test_default_hours_are_weekdays_nine_to_five(self, kingsmere):
        expected = WorkingCalendar({day: [(time(9), time(17))] for day in range(5)})
        assert calendar_for(kingsmere) == expected

    def test_reads_stored_hours_and_closures(self):
        organisation = OrganisationFactory(
            opening_hours={"0": ["08:30", "16:30"], "5": ["09:00", "12:00"], "6": []},
            closure_dates=["2026-12-24", "2026-12-31"],
        )
        calendar = calendar_for(organisation)
        assert calendar.hours_on(date(2026, 3, 2)) == ((time(8, 30), time(16, 30)),)
        assert calendar.hours_on(date(2026, 3, 7)) == ((time(9), time(12)),)
        assert not calendar.is_working_day(date(2026, 3, 3))  # Tuesday: no hours stored
        assert not calendar.is_working_day(date(2026, 12, 24))
        assert calendar.timezone == LONDON

    @time_machine.travel(datetime(2026, 12, 23, 15, tzinfo=UTC), tick=False)
    def test_a_deadline_from_now_skips_closures_and_bank_holidays(self):
        organisation = OrganisationFactory(closure_dates=["2026-12-24"])
        deadline = calendar_for(organisation).add_working_days(timezone.now(), 1)
        assert deadline == datetime(2026, 12, 29, 17, tzinfo=LONDON)

    @pytest.mark.parametrize(
        ("hours", "closures"),
        [
            ({"0": ["9am", "5pm"]}, []),
            ({"0": ["09:00"]}, []),
            ({"monday": ["09:00", "17:00"]}, []),
            (["09:00", "17:00"], []),
            ({"0": ["09:00", "17:00"]}, "2026-12-24"),
            ({"0": ["09:00", "17:00"]}, ["next Tuesday"]),
        ],
    )
    def test_unreadable_settings_raise_value_error(self, hours, closures):
        organisation = OrganisationFactory.build(opening_hours=hours, closure_dates=closures)
        with pytest.raises(ValueError):
            calendar_for(organisation)
