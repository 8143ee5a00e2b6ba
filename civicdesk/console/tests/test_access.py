"""Signing in and out, and that nothing on the desktop shows without signing in."""

import pytest
from django.urls import reverse

from civicdesk.console.tests.desktop_pages import PAGES
from civicdesk.core.models import AuditAction, AuditEvent


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_every_page_needs_signing_in(client, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:sign-in"))
    assert "next=" in response["Location"]


@pytest.mark.django_db
def test_sign_in_page_is_a_gov_uk_form(client):
    response = client.get(reverse("console:sign-in"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert 'class="govuk-label govuk-label--s" for="id_username"' in html
    assert 'class="govuk-input govuk-!-width-one-half"' in html
    assert "govuk-header__logotype" not in html  # no crown
    assert "Sign out" not in html  # no navigation before signing in


@pytest.mark.django_db
def test_signing_in_with_the_right_password_goes_to_search(client, agent):
    response = client.post(
        reverse("console:sign-in"),
        {"username": agent.username, "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_a_wrong_password_shows_the_error_summary(client, agent):
    response = client.post(
        reverse("console:sign-in"), {"username": agent.username, "password": "wrong"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert "<title>Error: Sign in" in html


@pytest.mark.django_db
def test_missing_fields_link_from_the_summary_to_the_field(client):
    response = client.post(reverse("console:sign-in"), {"username": "", "password": ""})

    html = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert 'id="id_username_error"' in html
    assert "govuk-input--error" in html
    assert "govuk-form-group--error" in html


@pytest.mark.django_db
def test_signing_out_needs_a_post(agent_client):
    assert agent_client.get(reverse("console:sign-out")).status_code == 405

    response = agent_client.post(reverse("console:sign-out"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("console:sign-in")
    assert "You have signed out." in response.content.decode()
    assert agent_client.get(reverse("console:home")).status_code == 302


@pytest.mark.django_db
def test_the_navigation_names_the_agent_and_offers_sign_out(agent_client, agent):
    html = agent_client.get(reverse("console:home")).content.decode()

    assert agent.get_full_name() in html
    assert f'action="{reverse("console:sign-out")}"' in html
    assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_changing_a_password(client, agent):
    user = agent  # a member of staff: the console refuses accounts without a membership
    client.force_login(user)

    response = client.post(
        reverse("console:password-change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-much-longer-passphrase-7",
            "new_password2": "a-much-longer-passphrase-7",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("console:password-change-done")
    user.refresh_from_db()
    assert user.check_password("a-much-longer-passphrase-7")


@pytest.mark.django_db
def test_sign_in_sign_out_and_password_changes_are_audited(client, agent):
    client.post(
        reverse("console:sign-in"),
        {"username": agent.username, "password": "correct-horse-battery"},
    )
    response = client.post(
        reverse("console:password-change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("console:home")).status_code == 200  # still signed in
    client.post(reverse("console:sign-out"))

    agent.refresh_from_db()
    assert agent.check_password("a-much-longer-passphrase-42")
    actions = list(
        AuditEvent.objects.for_record("organisations.user", agent.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.SIGNED_IN, AuditAction.PASSWORD_CHANGED, AuditAction.SIGNED_OUT]
    assert "passphrase" not in str(AuditEvent.objects.values_list("summary", "detail"))


@pytest.mark.django_db
def test_a_missing_customer_gets_a_gov_uk_not_found_page(agent_client, settings):
    settings.DEBUG = False
    response = agent_client.get(reverse("console:customer", args=["CUS-000000Z"]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
