"""Who may do what with a case. One place, used by selectors (reading) and services (writing).

The rules:
- Council staff see the cases of their own council. A sensitive service's case shows its
  details only to its owning and entitled teams, the team working it, and managers and
  administrators who are members of one of those teams; everyone else learns only that a case
  exists and which team has it.
- Partner staff see the referrals made to their teams, never the case behind one. A case that
  routing sends straight to a partner's team (a contractor doing the council's work) is that
  team's to see and work, like any case team's, and nobody else's at the partner.
- The team working a case (and the organisation's managers and administrators, when they may
  see its details) update it; its team leaders, managers and administrators assign it.
- Contact-centre agents may chase a case and add a note for the back office.
"""

from dataclasses import dataclass
from typing import Any

from civicdesk.organisations.models import Membership, Organisation, Role


@dataclass(frozen=True)
class StaffMember:
    """What the policy needs to know about the acting user, looked up once per request."""

    user: Any
    organisation_id: int | None
    is_partner: bool
    team_ids: frozenset[int]
    roles_by_team: dict[int, frozenset[str]]
    is_superuser: bool

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for roles in self.roles_by_team.values() for role in roles)

    def has_role_in(self, team_id: int, *roles: str) -> bool:
        return bool(self.roles_by_team.get(team_id, frozenset()) & set(roles))


def staff_member(user: Any) -> StaffMember:
    """Looked up once per user object: a request's `request.user` asks many times per page."""
    if user is None or not user.is_authenticated or not user.is_active:
        return StaffMember(user, None, False, frozenset(), {}, False)
    cached = getattr(user, "_civicdesk_staff_member", None)
    if cached is not None:
        return cached
    member = _look_up(user)
    user._civicdesk_staff_member = member
    return member


def _look_up(user: Any) -> StaffMember:
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("joined_on", "pk")
    )
    roles: dict[int, set[str]] = {}
    for membership in memberships:
        roles.setdefault(membership.team_id, set()).add(membership.role)
    home = memberships[0].organisation if memberships else None
    return StaffMember(
        user=user,
        organisation_id=home.pk if home else None,
        is_partner=bool(home and home.kind == Organisation.Kind.PARTNER),
        team_ids=frozenset(roles),
        roles_by_team={team: frozenset(team_roles) for team, team_roles in roles.items()},
        is_superuser=user.is_superuser,
    )


MANAGING_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class CaseAccess:
    sees_case: bool  # knows the case exists: reference, service, team, status
    sees_details: bool  # description, customer, timeline, attachments
    may_chase: bool
    may_note: bool
    may_work: bool  # change status, public updates, attachments, close, reopen, refer
    may_assign: bool


NO_ACCESS = CaseAccess(False, False, False, False, False, False)


def case_access(member: StaffMember, case: Any) -> CaseAccess:
    """`case` needs its service (with entitled teams prefetched when sensitive) loaded."""
    if member.is_superuser:
        return CaseAccess(True, True, True, True, True, True)
    if member.is_partner and case.team_id in member.team_ids:
        # Routed to the partner's team: without this nobody there could open the cases their
        # queue lists. The case team is entitled to a sensitive case's details anyway.
        return CaseAccess(
            sees_case=True,
            sees_details=True,
            may_chase=True,
            may_note=True,
            may_work=True,
            may_assign=member.has_role_in(case.team_id, Role.TEAM_LEADER, *MANAGING_ROLES),
        )
    if member.is_partner or member.organisation_id != case.organisation_id:
        return NO_ACCESS
    service = case.service
    in_case_team = case.team_id in member.team_ids
    managing = bool(member.roles & set(MANAGING_ROLES))
    if service.is_sensitive:
        entitled = {service.owning_team_id, case.team_id}
        entitled.update(team.pk for team in service.entitled_teams.all())
        sees_details = bool(member.team_ids & entitled)
    else:
        sees_details = True
    may_work = sees_details and (in_case_team or managing)
    return CaseAccess(
        sees_case=True,
        sees_details=sees_details,
        # Callers ring whoever answers: any colleague who may read the case logs a chase.
        may_chase=sees_details,
        may_note=sees_details,
        may_work=may_work,
        may_assign=sees_details
        and (member.has_role_in(case.team_id, Role.TEAM_LEADER, *MANAGING_ROLES) or managing),
    )


@dataclass(frozen=True)
class ReferralAccess:
    sees_referral: bool
    may_respond: bool  # acknowledge, complete, decline, add notes as the receiving team
    may_withdraw: bool  # the referring side


def referral_access(member: StaffMember, referral: Any) -> ReferralAccess:
    if member.is_superuser:
        return ReferralAccess(True, True, True)
    receiving = referral.to_team_id in member.team_ids
    # Whoever may work the case referred it, a partner's team included when the case was
    # routed to it; a partner receiving a referral never may work the case behind it.
    referring = case_access(member, referral.case).may_work
    return ReferralAccess(
        sees_referral=receiving or referring,
        may_respond=receiving,
        may_withdraw=referring,
    )
