import pytest
from django.core.exceptions import ValidationError

from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations import services
from civicdesk.organisations.models import Membership, Organisation, Role, Team, User
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum-orchard-lantern-42"


@pytest.fixture
def administrator() -> User:
    return UserFactory(username="admin1")


@pytest.fixture
def team() -> Team:
    return TeamFactory(name="Waste and recycling", slug="waste")


def add(actor, team, **overrides) -> Membership:
    arguments = {
        "actor": actor,
        "organisation": team.organisation,
        "team": team,
        "username": "apatel",
        "first_name": "Asha",
        "last_name": "Patel",
        "email": "Asha.Patel@Example.org",
        "password": STRONG_PASSWORD,
        "role": Role.AGENT,
    } | overrides
    return services.add_staff_member(**arguments)


class TestCreateOrganisation:
    def test_creates_and_audits(self, administrator):
        organisation = services.create_organisation(
            actor=administrator, name="Ashcombe District Council", slug="ashcombe"
        )

        assert organisation.opening_hours["0"] == ["09:00", "17:00"]
        event = AuditEvent.objects.get()
        assert event.action == AuditAction.CREATED
        assert event.record_type == "organisations.organisation"
        assert event.organisation_id == organisation.pk
        assert event.actor_label == "admin1"

    def test_takes_opening_hours_and_closure_dates(self, administrator):
        organisation = services.create_organisation(
            actor=administrator,
            name="Ashcombe District Council",
            slug="ashcombe",
            opening_hours={"0": ["08:30", "16:30"], "5": ["09:00", "12:00"]},
            closure_dates=["2026-12-24"],
        )
        organisation.refresh_from_db()
        assert organisation.opening_hours["5"] == ["09:00", "12:00"]
        assert organisation.closure_dates == ["2026-12-24"]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("opening_hours", {"0": ["17:00", "09:00"]}),
            ("opening_hours", {"0": ["nine", "five"]}),
            ("opening_hours", {"9": ["09:00", "17:00"]}),
            ("opening_hours", {}),
            ("closure_dates", ["24/12/2026"]),
        ],
    )
    def test_refuses_hours_the_calendar_cannot_read(self, administrator, field, value):
        with pytest.raises(ValidationError):
            services.create_organisation(
                actor=administrator, name="Ashcombe", slug="ashcombe", **{field: value}
            )
        assert not Organisation.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_refuses_a_slug_in_use(self, administrator):
        OrganisationFactory(slug="ashcombe")
        with pytest.raises(ValidationError) as error:
            services.create_organisation(actor=administrator, name="Ashcombe", slug="ashcombe")
        assert "slug" in error.value.message_dict


class TestCreateTeam:
    def test_creates_and_audits(self, administrator):
        organisation = OrganisationFactory()
        team = services.create_team(
            actor=administrator,
            organisation=organisation,
            name="Contact centre",
            slug="contact-centre",
            is_contact_centre=True,
        )

        assert team.is_contact_centre
        event = AuditEvent.objects.get()
        assert (event.action, event.record_type, event.record_id) == (
            AuditAction.CREATED,
            "organisations.team",
            str(team.pk),
        )
        assert event.organisation_id == organisation.pk

    def test_slugs_are_unique_within_an_organisation_only(self, administrator, team):
        with pytest.raises(ValidationError):
            services.create_team(
                actor=administrator, organisation=team.organisation, name="Waste", slug="waste"
            )
        other = OrganisationFactory(name="Ashcombe", slug="ashcombe")
        services.create_team(actor=administrator, organisation=other, name="Waste", slug="waste")
        assert Team.objects.filter(slug="waste").count() == 2


class TestAddStaffMember:
    def test_creates_the_account_with_a_hashed_password(self, administrator, team):
        membership = add(administrator, team)

        user = membership.user
        assert (user.username, user.get_full_name()) == ("apatel", "Asha Patel")
        assert user.email == "Asha.Patel@example.org"
        assert user.password != STRONG_PASSWORD
        assert user.check_password(STRONG_PASSWORD)
        assert not user.is_staff
        assert (membership.team, membership.organisation, membership.role) == (
            team,
            team.organisation,
            Role.AGENT,
        )

    def test_audits_the_account_and_the_access(self, administrator, team):
        membership = add(administrator, team)

        created, granted = AuditEvent.objects.order_by("pk")
        assert (created.action, created.record_type) == (AuditAction.CREATED, "organisations.user")
        assert created.organisation_id == team.organisation_id
        assert (granted.action, granted.record_type) == (
            AuditAction.ACCESS_GRANTED,
            "organisations.membership",
        )
        assert granted.record_id == str(membership.pk)
        assert granted.detail == {
            "user_id": membership.user_id,
            "team_id": team.pk,
            "role": Role.AGENT,
        }
        for event in (created, granted):
            assert event.actor_label == "admin1"
            assert STRONG_PASSWORD not in f"{event.summary} {event.detail}"

    @pytest.mark.parametrize(
        "password",
        ["short1", "password123", "12345678901234", "apatel2026", "", None],
    )
    def test_refuses_a_weak_or_missing_password(self, administrator, team, password):
        with pytest.raises(ValidationError) as error:
            add(administrator, team, password=password)
        assert list(error.value.message_dict) == ["password"]
        assert not User.objects.filter(username="apatel").exists()
        assert not AuditEvent.objects.exists()

    def test_adds_an_existing_account_to_another_team(self, administrator, team):
        first = add(administrator, team)
        other_team = TeamFactory(organisation=team.organisation, name="Housing", slug="housing")

        second = add(administrator, other_team, username="APatel", password=None, role="officer")

        assert second.user == first.user
        assert User.objects.count() == 2  # the administrator and Asha
        assert second.user.check_password(STRONG_PASSWORD)

    def test_does_not_reset_an_existing_password(self, administrator, team):
        existing = UserFactory(username="apatel")
        with pytest.raises(ValidationError) as error:
            add(administrator, team, password="another-strong-passphrase")
        assert "password" in error.value.message_dict
        existing.refresh_from_db()
        assert existing.check_password("correct-horse-battery")

    def test_refuses_a_second_place_in_the_same_team(self, administrator, team):
        add(administrator, team)
        with pytest.raises(ValidationError):
            add(administrator, team, password=None)
        assert Membership.objects.count() == 1

    def test_refuses_a_team_of_another_organisation(self, administrator, team):
        other = OrganisationFactory(name="Ashcombe", slug="ashcombe")
        with pytest.raises(ValidationError) as error:
            add(administrator, team, organisation=other)
        assert "team" in error.value.message_dict

    def test_refuses_an_unknown_role(self, administrator, team):
        with pytest.raises(ValidationError) as error:
            add(administrator, team, role="supervisor")
        assert "role" in error.value.message_dict

    def test_refuses_an_invalid_username(self, administrator, team):
        with pytest.raises(ValidationError):
            add(administrator, team, username="a patel")
        assert not AuditEvent.objects.exists()


class TestChangeRole:
    def test_changes_and_audits(self, administrator):
        membership = MembershipFactory(role=Role.AGENT)

        result = services.change_role(actor=administrator, membership=membership, role="manager")

        assert result.role == Role.MANAGER
        membership.refresh_from_db()
        assert membership.role == Role.MANAGER
        event = AuditEvent.objects.get()
        assert event.action == AuditAction.UPDATED
        assert event.record_id == str(membership.pk)
        assert event.detail == {"role": ["agent", "manager"]}
        assert "from Agent to Manager" in event.summary

    def test_leaves_other_teams_alone(self, administrator):
        membership = MembershipFactory(role=Role.AGENT)
        other = MembershipFactory(user=membership.user, role=Role.AGENT)

        services.change_role(actor=administrator, membership=membership, role=Role.OFFICER)

        other.refresh_from_db()
        assert other.role == Role.AGENT

    def test_the_same_role_changes_nothing(self, administrator):
        membership = MembershipFactory(role=Role.OFFICER)
        services.change_role(actor=administrator, membership=membership, role=Role.OFFICER)
        assert not AuditEvent.objects.exists()

    def test_refuses_an_unknown_role(self, administrator):
        membership = MembershipFactory()
        with pytest.raises(ValidationError):
            services.change_role(actor=administrator, membership=membership, role="boss")
        membership.refresh_from_db()
        assert membership.role == Role.AGENT


class TestRemoveFromTeam:
    def test_removes_and_audits(self, administrator):
        membership = MembershipFactory(role=Role.TEAM_LEADER)
        membership_id, user = membership.pk, membership.user

        services.remove_from_team(actor=administrator, membership=membership)

        assert not Membership.objects.filter(pk=membership_id).exists()
        assert User.objects.filter(pk=user.pk).exists()
        event = AuditEvent.objects.get()
        assert event.action == AuditAction.ACCESS_REVOKED
        assert (event.record_type, event.record_id) == (
            "organisations.membership",
            str(membership_id),
        )
        assert event.organisation_id == membership.organisation_id
        assert event.detail["role"] == Role.TEAM_LEADER
