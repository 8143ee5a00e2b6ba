"""E-enablement (BVPI 157): which interaction types count as enabled for electronic delivery."""

import pytest
from django.core.exceptions import ValidationError

from civicdesk.catalogue.models import InteractionType
from civicdesk.catalogue.selectors import e_enablement
from civicdesk.catalogue.services import create_service, set_interaction

pytestmark = pytest.mark.django_db


def service(council, name, types, channels=("phone", "web")):
    return create_service(
        actor=None, organisation=council, name=name, interaction_types=list(types),
        channels=list(channels),
    )  # fmt: skip


def test_the_share_counts_types_zero_to_nine_among_those_permitted(council):
    benefits = service(council, "Housing Benefit", [0, 7, 12])  # 12 is a sub-type: not counted
    set_interaction(actor=None, service=benefits, interaction_type=0, channels=["face_to_face"])
    set_interaction(
        actor=None, service=benefits, interaction_type=7, channels=["phone"],
        staff_complete_online=True,
    )  # fmt: skip
    licences = service(council, "Street trading", [9], channels=["letter"])
    set_interaction(
        actor=None, service=licences, interaction_type=9, channels=["letter"],
        electronic_permitted=False,
    )  # fmt: skip
    tips = service(council, "Recycling", [8])  # no row: the service's own channels, with web

    report = e_enablement(organisation=council)

    got = {(row.service.name, int(row.interaction_type)): row.e_enabled for row in report.rows}
    assert got == {
        ("Housing Benefit", 0): False,  # only at the counter, nobody completes it on-line
        ("Housing Benefit", 7): True,  # by phone with the records updated there and then
        ("Street trading", 9): False,
        ("Recycling", 8): True,
    }
    assert (report.enabled, report.permitted) == (2, 3)  # the paper-only licence is left out
    assert report.percentage == pytest.approx(200 / 3)
    by_type = {int(kind): (enabled, permitted) for kind, enabled, permitted in report.by_type}
    assert by_type == {0: (0, 1), 7: (1, 1), 8: (1, 1)}
    assert tips.interaction_types == [8]


def test_setting_an_interaction_lists_the_type_on_the_service_and_checks_channels(council):
    tips = service(council, "Recycling", [])
    set_interaction(actor=None, service=tips, interaction_type=4, channels=["web", "web"])
    tips.refresh_from_db()
    assert tips.interaction_types == [4]
    assert tips.interactions.get().channels == ["web"]
    with pytest.raises(ValidationError):
        set_interaction(actor=None, service=tips, interaction_type=4, channels=["pigeon"])
    with pytest.raises(ValidationError):
        set_interaction(actor=None, service=tips, interaction_type=99, channels=["web"])


def test_no_interactions_no_figure(council):
    report = e_enablement(organisation=council)
    assert report.rows == [] and report.percentage is None
    assert InteractionType(0).label == "Applications for service"
