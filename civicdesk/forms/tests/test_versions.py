import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from civicdesk.core.models import AuditEvent
from civicdesk.forms import selectors, services
from civicdesk.forms.models import Application, EligibilityRules, QuestionKind, VersionStatus

RULES = {
    "requirements": [
        {"id": "resident", "when": "lives_in_area == True", "reason": "You must live here."}
    ],
    "rules": [{"id": "pip", "outcome": "eligible", "when": "pip_points >= 8", "reason": "PIP"}],
}


def test_publishing_freezes_and_is_audited(administrator, conditional):
    services.publish_version(actor=administrator, version=conditional)
    conditional.refresh_from_db()
    assert conditional.status == VersionStatus.PUBLISHED
    assert conditional.published_by == administrator
    assert selectors.published_version(conditional.form) == conditional
    page = conditional.pages.first()
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.add_page(actor=administrator, version=conditional, title="Late")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.add_question(
            actor=administrator, page=page, code="late", kind=QuestionKind.TEXT, label="Late"
        )
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.change_draft(actor=administrator, version=conditional, fee_pence=500)
    with pytest.raises(ValidationError):
        services.publish_version(actor=administrator, version=conditional)
    assert AuditEvent.objects.filter(summary__endswith="published").exists()


def test_a_new_draft_copies_and_publishing_it_retires_the_old(administrator, conditional):
    services.change_draft(actor=administrator, version=conditional, fee_pence=1000)
    services.publish_version(actor=administrator, version=conditional)
    draft = services.new_draft(actor=administrator, form=conditional.form)
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert draft.fee_pence == 1000
    assert [p.title for p in draft.pages.all()] == ["About you", "PIP", "Contact"]
    assert list(draft.pages.get(number=2).questions.values_list("code", "show_if")) == [
        ("pip_points", "")
    ]
    assert draft.pages.get(number=2).show_if == "gets_pip == True"
    assert services.new_draft(actor=administrator, form=conditional.form) == draft
    services.add_page(actor=administrator, version=draft, title="Extra")
    with pytest.raises(ValidationError, match="has no questions"):
        services.publish_version(actor=administrator, version=draft)
    draft.pages.get(title="Extra").delete()
    services.publish_version(actor=administrator, version=draft)
    conditional.refresh_from_db()
    assert conditional.status == VersionStatus.RETIRED
    assert selectors.published_version(conditional.form) == draft
    assert list(selectors.forms_for_service(conditional.form.service)) == [conditional.form]


def test_an_application_keeps_its_version(administrator, council, conditional):
    services.publish_version(actor=administrator, version=conditional)
    application = Application.objects.create(
        organisation=council, form_version=conditional, channel="web"
    )
    services.new_draft(actor=administrator, form=conditional.form)
    with pytest.raises(ProtectedError):
        conditional.delete()
    application.refresh_from_db()
    assert application.form_version == conditional


def test_rules_are_checked_versioned_and_frozen(administrator, council):
    with pytest.raises(ValidationError):
        services.save_rules(
            actor=administrator,
            organisation=council,
            code="badge",
            title="Badge",
            definition={"rules": [{"id": "x", "outcome": "eligible", "when": "import os"}]},
        )
    first = services.save_rules(
        actor=administrator, organisation=council, code="badge", title="Badge", definition=RULES
    )
    assert (
        services.save_rules(
            actor=administrator,
            organisation=council,
            code="badge",
            title="Badge 1",
            definition=RULES,
        )
        == first
    )
    assert selectors.rules_in_force(council, "badge") is None
    services.publish_rules(actor=administrator, rules=first)
    assert selectors.rules_in_force(council, "badge") == first
    with pytest.raises(ValidationError):
        services.publish_rules(actor=administrator, rules=first)
    second = services.save_rules(
        actor=administrator, organisation=council, code="badge", title="Badge", definition=RULES
    )
    assert second.version == 2
    services.publish_rules(actor=administrator, rules=second)
    assert selectors.rules_in_force(council, "badge") == second
    assert EligibilityRules.objects.get(pk=first.pk).status == VersionStatus.RETIRED
