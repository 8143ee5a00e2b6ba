import csv
from pathlib import Path

import pytest
from django.conf import settings

from civicdesk.catalogue.demo import DEMO_SERVICES, DEMO_TEAMS, LGSL_LABELS, install_demo_catalogue
from civicdesk.catalogue.models import InteractionType, KnowledgeArticle, LgslService, Service
from civicdesk.organisations.tests.factories import OrganisationFactory, TeamFactory

REAL_LIST = Path(settings.BASE_DIR).parent / "shared/data/lgsl-esd/lgsl-services.csv"


@pytest.fixture
def demo(db):
    council = OrganisationFactory()
    teams = {
        team.slug: TeamFactory(organisation=council, slug=team.slug, name=team.name,
                               is_contact_centre=team.is_contact_centre)
        for team in DEMO_TEAMS
    }  # fmt: skip
    return council, install_demo_catalogue(actor=None, organisation=council, teams=teams)


def test_every_demo_service_has_an_lgsl_code_an_owner_and_an_article(demo):
    council, services = demo

    assert (
        len(services) == len(DEMO_SERVICES) == Service.objects.filter(organisation=council).count()
    )
    for service in Service.objects.select_related("lgsl", "owning_team"):
        assert service.lgsl.code in LGSL_LABELS, service
        assert service.owning_team.organisation == council, service
        assert service.sla_value, service
        assert set(service.interaction_types) <= set(InteractionType.values), service
        articles = KnowledgeArticle.objects.filter(service=service)
        assert articles.exists(), service
        for article in articles:
            assert 3 <= len(article.script) <= 6, article
            assert article.last_reviewed_on is not None


def test_sensitive_services_are_marked(demo):
    _, services = demo

    assert services["housing-benefit-claims"].sensitivity == "sensitive"
    assert services["anti-social-behaviour"].sensitivity == "sensitive"
    assert services["safeguarding-adults"].sensitivity == "safeguarding"
    assert services["missed-bin"].sensitivity == "standard"


def test_an_imported_list_is_kept_rather_than_overwritten(db):
    LgslService.objects.create(code=524, label="Household waste collection",
                               description="From the national list.")  # fmt: skip
    council = OrganisationFactory()
    teams = {team.slug: TeamFactory(organisation=council, slug=team.slug) for team in DEMO_TEAMS}

    install_demo_catalogue(actor=None, organisation=council, teams=teams)

    assert LgslService.objects.get(code=524).description == "From the national list."


def test_the_codes_are_real_lgsl_services():
    if not REAL_LIST.exists():
        pytest.skip(f"{REAL_LIST} is not on this machine")
    with REAL_LIST.open(encoding="utf-8-sig", newline="") as handle:
        labels = {row["Identifier"]: row["Label"] for row in csv.DictReader(handle)}
    for code, label in LGSL_LABELS.items():
        assert labels[str(code)] == label
