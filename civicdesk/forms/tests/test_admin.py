import pytest
from django.urls import reverse

from civicdesk.forms.models import EligibilityRules, FormVersion, VersionStatus


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_the_admin_pages_load(admin_client, conditional):
    page = conditional.pages.first()
    for url in [
        reverse("admin:eforms_form_changelist"),
        reverse("admin:eforms_form_change", args=[conditional.form.pk]),
        reverse("admin:eforms_formversion_change", args=[conditional.pk]),
        reverse("admin:eforms_formpage_change", args=[page.pk]),
        reverse("admin:eforms_eligibilityrules_add"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_check_and_publish_from_the_admin(admin_client, administrator, draft, conditional):
    url = reverse("admin:eforms_formversion_changelist")
    checked = admin_client.post(
        url, {"action": "check_draft", "_selected_action": [conditional.pk]}, follow=True
    )
    assert "has no problems" in checked.text
    admin_client.post(url, {"action": "publish", "_selected_action": [conditional.pk]})
    conditional.refresh_from_db()
    assert conditional.status == VersionStatus.PUBLISHED
    page = admin_client.get(
        reverse("admin:eforms_formpage_change", args=[conditional.pages.first().pk])
    )
    assert 'name="title"' not in page.text  # read-only once published
    admin_client.post(url, {"action": "start_new_draft", "_selected_action": [conditional.pk]})
    assert FormVersion.objects.filter(form=conditional.form, number=2).exists()


def test_questions_are_edited_with_choices_one_a_line(admin_client, conditional):
    page = conditional.pages.get(number=3)
    question = page.questions.get()
    prefix = "questions"
    data = {
        "version": conditional.pk,
        "number": 3,
        "title": "Contact",
        "hint": "",
        "show_if": "",
        f"{prefix}-TOTAL_FORMS": 2,
        f"{prefix}-INITIAL_FORMS": 1,
        f"{prefix}-0-id": question.pk,
        f"{prefix}-0-page": page.pk,
        f"{prefix}-0-order": 1,
        f"{prefix}-0-code": "email",
        f"{prefix}-0-kind": "email",
        f"{prefix}-0-label": "Email address",
        f"{prefix}-1-page": page.pk,
        f"{prefix}-1-order": 2,
        f"{prefix}-1-code": "contact_by",
        f"{prefix}-1-kind": "single_choice",
        f"{prefix}-1-label": "How should we contact you?",
        f"{prefix}-1-required": "on",
        f"{prefix}-1-choices_text": "email | By email\nletter | By letter",
    }
    response = admin_client.post(reverse("admin:eforms_formpage_change", args=[page.pk]), data)
    assert response.status_code == 302, response.text
    added = page.questions.get(code="contact_by")
    assert added.choices == [
        {"key": "email", "label": "By email"},
        {"key": "letter", "label": "By letter"},
    ]


def test_rules_that_do_not_check_are_refused_clearly(admin_client, council):
    url = reverse("admin:eforms_eligibilityrules_add")
    data = {"organisation": council.pk, "code": "badge", "title": "Badge", "source": ""}
    response = admin_client.post(url, {**data, "definition": "{not json"})
    assert "The rules are not valid JSON" in response.text
    assert not EligibilityRules.objects.exists()
    good = '{"rules": [{"id": "a", "outcome": "eligible", "when": "x == 1", "reason": "X"}]}'
    response = admin_client.post(url, {**data, "definition": good})
    assert response.status_code == 302
    assert EligibilityRules.objects.get().version == 1
