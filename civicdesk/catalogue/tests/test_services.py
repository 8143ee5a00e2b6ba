import pytest
from django.core.exceptions import ValidationError

from civicdesk.catalogue.models import Channel, LgslService
from civicdesk.catalogue.selectors import services_for, services_with_articles
from civicdesk.catalogue.services import create_service, publish_article
from civicdesk.organisations.tests.factories import OrganisationFactory, TeamFactory


def test_a_service_is_open_on_every_channel_unless_told(council):
    service = create_service(
        actor=None,
        organisation=council,
        name="Missed bins",
        lgsl=LgslService.objects.create(code=524, label="Household waste"),
    )
    assert service.slug == "missed-bins"
    assert set(service.channels) == set(Channel.values)
    assert service.lgsl.uri == "http://id.esd.org.uk/service/524"


def test_unknown_channels_lgil_types_and_foreign_teams_are_refused(council):
    other_team = TeamFactory(organisation=OrganisationFactory(name="Other", slug="other"))
    with pytest.raises(ValidationError):
        create_service(actor=None, organisation=council, name="A", channels=["fax"])
    with pytest.raises(ValidationError):
        create_service(actor=None, organisation=council, name="A", interaction_types=[18])
    with pytest.raises(ValidationError):
        create_service(actor=None, organisation=council, name="A", owning_team=other_team)


def test_agents_see_their_councils_services_and_published_articles(council, agent):
    web_only = create_service(
        actor=None, organisation=council, name="Garden waste", channels=["web"]
    )
    phone = create_service(
        actor=None, organisation=council, name="Pest control", channels=["phone", "web"]
    )
    create_service(actor=None, organisation=OrganisationFactory(name="O", slug="o"), name="X")
    publish_article(
        actor=None,
        service=phone,
        question="How much?",
        answer="£60",
        script=["Ask where", "  ", "Quote the fee"],
    )

    assert set(services_for(user=agent)) == {web_only, phone}
    assert list(services_for(user=agent, channel="phone")) == [phone]
    articles = {
        s.name: [a.script for a in s.knowledge_articles.all()]
        for s in services_with_articles(user=agent)
    }
    assert articles == {"Garden waste": [], "Pest control": [["Ask where", "Quote the fee"]]}
