"""The demo catalogue of Kingsmere Borough Council, an invented borough.

It gives `make run`, the tests and the benchmark a council that looks like a real one: services
named the way residents say them, owned by the teams that do the work, with the knowledge
articles an agent reads from. Everything is written through `catalogue.services`, so the demo
behaves exactly like a catalogue an administrator set up by hand.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from civicdesk.catalogue.models import (
    Channel,
    InteractionType,
    LgslService,
    Priority,
    RequestKind,
    RoutingRule,
    Sensitivity,
    Service,
    ServiceInteraction,
    SlaTarget,
    SlaUnit,
)
from civicdesk.catalogue.services import (
    add_question,
    create_service,
    import_lgsl,
    publish_article,
    set_interaction,
    set_public_details,
)
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Organisation, Team
from civicdesk.places.models import Ward

I = InteractionType  # noqa: E741 - short alias keeps the table below readable
PHONE, F2F, WEB, EMAIL, LETTER, PARTNER = (
    Channel.PHONE, Channel.FACE_TO_FACE, Channel.WEB, Channel.EMAIL, Channel.LETTER,
    Channel.PARTNER,
)  # fmt: skip
EVERY_CHANNEL = [PHONE, F2F, WEB, EMAIL, LETTER, PARTNER]
REVIEWED = datetime.date(2026, 9, 1)


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    is_contact_centre: bool = False

    @property
    def email(self) -> str:
        return f"{self.slug}@kingsmere.example.org"


DEMO_TEAMS = [
    DemoTeam("contact-centre", "Customer contact centre", is_contact_centre=True),
    DemoTeam("revenues", "Revenues (Council Tax)"),
    DemoTeam("benefits", "Benefits"),
    DemoTeam("waste", "Waste and street scene"),
    DemoTeam("waste-north", "Waste and street scene: north wards"),
    DemoTeam("environmental-health", "Environmental health"),
    DemoTeam("highways", "Highways and trees"),
    DemoTeam("concessions", "Blue Badge and concessions"),
    DemoTeam("education", "Education"),
    DemoTeam("community-safety", "Community safety"),
    DemoTeam("adult-safeguarding", "Adult safeguarding"),
]


@dataclass(frozen=True)
class DemoArticle:
    question: str
    answer: str
    script: list[str]
    reviewed: datetime.date = REVIEWED


@dataclass(frozen=True)
class DemoService:
    slug: str
    name: str
    lgsl: int
    team: str
    description: str
    keywords: str
    sla: tuple[int, str]
    interaction_types: list[int]
    articles: list[DemoArticle]
    channels: list[str] = field(default_factory=lambda: list(EVERY_CHANNEL))
    sensitivity: str = Sensitivity.STANDARD


# The LGSL labels of the codes used here, so the demo works before the full list is imported.
LGSL_LABELS = {
    4: "Free school meals",
    57: "Council tax annual notification",
    58: "Council tax account enquiries",
    59: "Council tax discount",
    60: "Council tax exemptions",
    69: "Housing benefit new claim",
    273: "Older people's bus pass",
    279: "Disabled people - parking permits",
    280: "Disabled people - bus passes",
    370: "Change of circumstances",
    372: "Abandoned vehicles",
    431: "Pest control",
    432: "Dog wardens",
    505: "Tree management",
    521: "Skip permits",
    524: "Household waste collection",
    582: "Street cleaning",
    584: "Graffiti removal",
    587: "Flytipping",
    589: "Grass cutting",
    664: "Drainage",
    731: "Safeguarding vulnerable adults",
    1130: "Residential recycling collections",
    1485: "Anti-social behaviour - neighbour nuisance",
}

DAYS, HOURS = SlaUnit.WORKING_DAYS, SlaUnit.WORKING_HOURS
CONFIRM_ACCOUNT = "Confirm the caller's name, address and Council Tax account number."

DEMO_SERVICES = [
    # Revenues: Council Tax.
    DemoService(
        "council-tax-bills",
        "Council Tax bills",
        57,
        "revenues",
        "Your annual Council Tax bill, what it is made up of and how to read it.",
        "council tax, bill, annual bill, band, charge, demand notice",
        (5, DAYS),
        [I.COLLECTING_REVENUE, I.INFORMATION, I.STATUS_CHECKING],
        [
            DemoArticle(
                "Why has my Council Tax bill gone up?",
                "Annual bills go out in early March for the year starting 1 April. The charge "
                "rises each year with the budgets set by the council, the police and crime "
                "commissioner and the fire authority. A bill can also change because a discount "
                "has ended or the band has changed.",
                [
                    "Confirm the caller's name, address and Council Tax account number.",
                    "Open the account and compare this year's charge with last year's.",
                    "Explain the increase in the precepts, or which discount has ended.",
                    "If they think the band is wrong, give the Valuation Office Agency's details.",
                    "Offer to move them to 12 monthly instalments if that would help.",
                ],
            ),
            DemoArticle(
                "Can I get my bill by email instead of by post?",
                "Yes. Customers can sign up for e-billing online or an agent can do it for them. "
                "The next bill will then be emailed, not posted.",
                [
                    "Confirm the caller's name, address and Council Tax account number.",
                    "Check the email address with the caller, letter by letter.",
                    "Switch the account to e-billing and say when the next bill is due.",
                ],
            ),
        ],
    ),
    DemoService(
        "council-tax-recovery",
        "Council Tax reminders and recovery",
        58,
        "revenues",
        "Reminders, final notices, summonses and liability orders for unpaid Council Tax.",
        "reminder, final notice, summons, court, liability order, enforcement agent, bailiff",
        (5, DAYS),
        [I.COLLECTING_REVENUE, I.ENFORCEMENT, I.APPEALING],
        [
            DemoArticle(
                "I have had a reminder: what happens now?",
                "A reminder gives 7 days to bring instalments up to date. If the customer pays in "
                "that time they keep paying by instalments. If not, they lose the right to pay by "
                "instalments and the full year becomes due; a summons follows, with costs added.",
                [
                    CONFIRM_ACCOUNT,
                    "Check the reminder date and the amount needed to bring the account up to "
                    "date.",
                    "Take a payment now if the caller can pay.",
                    "If they cannot, find out why and offer an arrangement or a benefits check.",
                    "Warn them gently that a summons adds costs if nothing is paid.",
                ],
            )
        ],
    ),
    DemoService(
        "council-tax-liability",
        "Moving home and who pays Council Tax",
        58,
        "revenues",
        "Telling us you have moved in, moved out or moved within the borough.",
        "moving home, move in, move out, new address, tenant, liable, responsible",
        (10, DAYS),
        [I.CHANGING_CIRCUMSTANCES, I.INFORMATION],
        [
            DemoArticle(
                "I am moving house: what do I need to tell you?",
                "Tell us the date of the move, the new address and a forwarding address if leaving "
                "the borough. We close the old account to the day before the move and open a new "
                "one from the move-in date. A final bill or a refund follows.",
                [
                    CONFIRM_ACCOUNT,
                    "Take the moving date and the new or forwarding address.",
                    "Ask who else is moving and whether anyone stays at the old address.",
                    "Ask for the landlord's or buyer's details if known.",
                    "Explain that a final bill or refund will be posted within 10 working days.",
                ],
            )
        ],
    ),
    DemoService(
        "council-tax-discounts",
        "Council Tax discounts",
        59,
        "revenues",
        "Discounts for people who live alone, students, carers and others who are disregarded.",
        "discount, reduction, disregard, student, carer, severely mentally impaired",
        (10, DAYS),
        [I.APPLICATIONS, I.ELIGIBILITY_CHECKING],
        [
            DemoArticle(
                "Who can get a Council Tax discount?",
                "The bill assumes two adults live in the home. If only one adult counts, the bill "
                "is reduced by 25%. Some people are not counted: full-time students, carers, "
                "people who are severely mentally impaired, apprentices and some others.",
                [
                    CONFIRM_ACCOUNT,
                    "Ask who lives at the address and how old each person is.",
                    "Check each adult against the list of people who are disregarded.",
                    "Send the right application form or take the details now.",
                    "Explain the evidence needed, for example a student certificate.",
                ],
            )
        ],
    ),
    DemoService(
        "council-tax-exemptions",
        "Council Tax exemptions",
        60,
        "revenues",
        "Homes that pay no Council Tax: empty after a death, lived in only by students, "
        "repossessed and others.",
        "exemption, exempt, empty property, student household, probate, care home",
        (10, DAYS),
        [I.EXEMPTION, I.ELIGIBILITY_CHECKING],
        [
            DemoArticle(
                "My relative has died: is Council Tax still due on their home?",
                "A home left empty after the owner's death is exempt until probate is granted, and"
                " for up to 6 months after that while it stays unoccupied. If the person lived "
                "alone and rented, the account ends on the day of death or when the tenancy ends.",
                [
                    "Offer condolences and check the caller's relationship to the person who died.",
                    "Ask whether they used Tell Us Once and have the reference.",
                    "Take the date of death and the executor's name and address.",
                    "Explain the exemption until probate and for 6 months afterwards.",
                    "Say that bills will be sent to the executor.",
                ],
            )
        ],
    ),
    DemoService(
        "landlord-enquiries",
        "Council Tax for landlords and letting agents",
        58,
        "revenues",
        "Telling us about tenancies, empty periods and houses in multiple occupation.",
        "landlord, letting agent, tenancy, tenant, empty, house in multiple occupation, HMO",
        (10, DAYS),
        [I.CHANGING_CIRCUMSTANCES, I.INFORMATION],
        [
            DemoArticle(
                "How do I tell you about a new tenant?",
                "Landlords and agents can tell us online with the tenancy start date, the tenants' "
                "names and their previous address. Between tenancies the owner pays, with no "
                "discount for empty homes. For houses in multiple occupation the owner pays.",
                [
                    "Confirm the landlord's or agent's name and the property address.",
                    "Take the tenancy start and end dates and the tenants' full names.",
                    "Ask for the outgoing tenant's forwarding address.",
                    "Explain that the owner is liable while the home is empty.",
                ],
            )
        ],
    ),
    DemoService(
        "single-person-discount",
        "Single person discount",
        59,
        "revenues",
        "25% off Council Tax when only one adult lives in the home.",
        "single person discount, SPD, live alone, 25%, one adult",
        (10, DAYS),
        [I.APPLICATIONS, I.CHANGING_CIRCUMSTANCES, I.ELIGIBILITY_CHECKING],
        [
            DemoArticle(
                "Can I get single person discount?",
                "If you are the only adult (18 or over) living in your home you can get 25% off. "
                "You must tell us within 21 days if someone moves in, or a penalty may be charged. "
                "We check discounts every year against other records.",
                [
                    CONFIRM_ACCOUNT,
                    "Ask whether anyone else aged 18 or over lives there, even part of the week.",
                    "Ask from what date they have lived alone.",
                    "Apply the discount from that date and explain the 21-day rule.",
                    "Tell them a revised bill will follow.",
                ],
            )
        ],
    ),
    DemoService(
        "arrears-arrangements",
        "Council Tax payment arrangements for arrears",
        58,
        "revenues",
        "Agreeing affordable payments for Council Tax that is overdue.",
        "arrears, arrangement, payment plan, owe, debt, cannot pay, hardship",
        (5, DAYS),
        [I.COLLECTING_REVENUE, I.PAYING],
        [
            DemoArticle(
                "I cannot pay what I owe: can I pay it off slowly?",
                "Yes, in most cases. We can agree regular payments that clear the debt, usually by "
                "the end of the financial year. Where someone is struggling we also check for "
                "Council Tax Support and refer to Kingsmere Citizens Advice for free debt advice.",
                [
                    CONFIRM_ACCOUNT,
                    "Check the arrears and whether a liability order has been made.",
                    "Ask what the caller can afford each week or month.",
                    "Agree an arrangement and a first payment date; record it on the account.",
                    "Offer a Council Tax Support check and Citizens Advice's details.",
                    "Explain that missing a payment ends the arrangement.",
                ],
            )
        ],
    ),
    DemoService(
        "council-tax-payments",
        "Paying Council Tax",
        58,
        "revenues",
        "Direct Debit, card payments, instalment dates and refunds.",
        "pay, payment, direct debit, card, instalments, refund, balance",
        (1, DAYS),
        [I.PAYING, I.COLLECTING_REVENUE],
        [
            DemoArticle(
                "How can I pay my Council Tax?",
                "Direct Debit on the 1st, 8th, 15th or 22nd of the month is easiest. Customers can "
                "also pay by card online or on the automated line at any time, or at any PayPoint "
                "with the barcode on their bill.",
                [
                    CONFIRM_ACCOUNT,
                    "Offer Direct Debit first and the choice of payment dates.",
                    "For a card payment, transfer the caller to the secure payment line.",
                    "Confirm the new balance and the next instalment date.",
                ],
            )
        ],
    ),
    # Benefits: sensitive.
    DemoService(
        "housing-benefit-claims",
        "Housing Benefit claims",
        69,
        "benefits",
        "Help with rent for people on a low income, mainly pensioners and people in supported "
        "or temporary housing; most working-age people claim Universal Credit instead.",
        "housing benefit, rent, claim, low income, pension credit, supported housing",
        (14, DAYS),
        [I.APPLICATIONS, I.BENEFITS_AND_GRANTS, I.STATUS_CHECKING, I.ELIGIBILITY_CHECKING],
        [
            DemoArticle(
                "Can I claim Housing Benefit?",
                "Most people of working age must claim Universal Credit for help with rent. "
                "Housing Benefit is still claimed by people over State Pension age and people in "
                "supported, sheltered or temporary housing. Claims are decided within 14 days of "
                "having all the information.",
                [
                    "Confirm the caller's identity with two security questions.",
                    "Ask their age and the type of housing they live in.",
                    "If they are of working age in ordinary housing, explain Universal Credit.",
                    "Otherwise start the online claim with them or book a call-back.",
                    "List the evidence: income, savings, rent and identity.",
                ],
            )
        ],
        sensitivity=Sensitivity.SENSITIVE,
    ),
    DemoService(
        "change-of-circumstances",
        "Change of circumstances for benefits",
        370,
        "benefits",
        "Telling us about changes in income, household or rent that affect Housing Benefit or "
        "Council Tax Support.",
        "change of circumstances, income change, new job, partner, moved, benefit",
        (10, DAYS),
        [I.CHANGING_CIRCUMSTANCES, I.BENEFITS_AND_GRANTS],
        [
            DemoArticle(
                "What changes must I tell you about?",
                "Tell us within one month about any change in income, savings, who lives with you, "
                "your rent or your address. Late changes can lead to an overpayment that has to be "
                "paid back.",
                [
                    "Confirm the caller's identity with two security questions.",
                    "Take the change, the date it happened and who it affects.",
                    "Tell the caller what evidence is needed and how to send it.",
                    "Explain that a new decision letter will follow.",
                ],
            )
        ],
        sensitivity=Sensitivity.SENSITIVE,
    ),
    # Waste and street scene.
    DemoService(
        "missed-bin",
        "Missed bin collection",
        524,
        "waste",
        "Reporting a general waste bin that was not emptied on collection day.",
        "missed bin, bin not emptied, refuse, rubbish, black bin, collection day",
        (2, DAYS),
        [I.REPORTING, I.REPAIRING],
        [
            DemoArticle(
                "My bin was not emptied: what should I do?",
                "Report it by the end of the next working day. We return within 2 working days if "
                "the bin was out by 7am and the crew has not recorded it as late, overloaded or "
                "contaminated.",
                [
                    "Confirm the address and check the collection day for the street.",
                    "Check the crew's notes for a blocked road, late bin or contamination.",
                    "If the crew missed it, raise a return collection.",
                    "Ask the caller to leave the bin out until it is emptied.",
                ],
            )
        ],
    ),
    DemoService(
        "recycling",
        "Recycling and garden waste collections",
        1130,
        "waste",
        "Recycling boxes and bins, what goes in them, and the paid garden waste service.",
        "recycling, blue bin, green bin, garden waste, new bin, box, glass",
        (5, DAYS),
        [I.APPLICATIONS, I.INFORMATION, I.REPORTING],
        [
            DemoArticle(
                "How do I sign up for garden waste collections?",
                "Garden waste is collected fortnightly from March to November for an annual fee. "
                "Customers can subscribe online; the bin sticker arrives within 10 working days.",
                [
                    "Confirm the address.",
                    "Check whether the address already has a subscription.",
                    "Take payment or send the caller to the online form.",
                    "Explain when the sticker will arrive and the first collection date.",
                ],
            )
        ],
    ),
    DemoService(
        "street-cleaning",
        "Street cleaning",
        582,
        "waste",
        "Litter, broken glass, leaves and spillages on roads and pavements.",
        "litter, street cleaning, sweeping, broken glass, leaves, dirty street",
        (5, DAYS),
        [I.REPORTING],
        [
            DemoArticle(
                "Can you clean up litter on my street?",
                "Streets are swept on a schedule. Broken glass and hazardous spills are cleared "
                "within 24 hours; other litter within 5 working days.",
                [
                    "Confirm the exact location, using a nearby house number or landmark.",
                    "Ask what the problem is and whether it is a danger.",
                    "Mark glass, needles or spillages as urgent.",
                    "Raise the request and give the reference.",
                ],
            )
        ],
    ),
    DemoService(
        "graffiti",
        "Graffiti removal",
        584,
        "waste",
        "Removing graffiti from council property and, with consent, from private walls.",
        "graffiti, tagging, spray paint, vandalism, offensive",
        (5, DAYS),
        [I.REPORTING],
        [
            DemoArticle(
                "How quickly do you remove graffiti?",
                "Offensive or racist graffiti is removed within 24 hours. Other graffiti on "
                "council property is removed within 5 working days. Private owners must sign a "
                "consent form before we remove it from their walls.",
                [
                    "Confirm the location and what the graffiti is on.",
                    "Ask whether it is offensive; if so mark it urgent.",
                    "If it is on private property, send the consent form.",
                    "Raise the request and give the reference.",
                ],
            )
        ],
    ),
    DemoService(
        "flytipping",
        "Fly-tipping",
        587,
        "waste",
        "Reporting rubbish dumped illegally on land or roads.",
        "fly-tipping, flytipping, dumped rubbish, mattress, rubble, illegal dumping",
        (3, DAYS),
        [I.REPORTING, I.ENFORCEMENT],
        [
            DemoArticle(
                "I want to report fly-tipping.",
                "We clear fly-tipping from public land within 3 working days. If the dumped waste "
                "holds evidence of who left it, officers investigate and may prosecute. Waste on "
                "private land is the landowner's responsibility.",
                [
                    "Confirm the exact location and whether it is on public land.",
                    "Ask what has been dumped and how much, and whether it is hazardous.",
                    "Ask whether they saw who dumped it or a vehicle registration.",
                    "Raise the request and give the reference.",
                ],
            )
        ],
    ),
    DemoService(
        "abandoned-vehicles",
        "Abandoned vehicles",
        372,
        "waste",
        "Reporting a vehicle that seems to have been left for good.",
        "abandoned car, abandoned vehicle, untaxed, dumped car, burnt out",
        (5, DAYS),
        [I.REPORTING, I.ENFORCEMENT],
        [
            DemoArticle(
                "There is a car that has not moved for weeks.",
                "An officer inspects within 5 working days. If the vehicle is untaxed we tell the "
                "DVLA; if it is abandoned we put a notice on it and remove it after 7 days. "
                "Burnt-out or dangerous vehicles are removed within 24 hours.",
                [
                    "Take the make, model, colour and registration number.",
                    "Confirm where it is parked.",
                    "Ask how long it has been there and whether it is damaged or burnt out.",
                    "Raise the request and give the reference.",
                ],
            )
        ],
    ),
    # Environmental health.
    DemoService(
        "dog-warden",
        "Stray dogs and dog fouling",
        432,
        "environmental-health",
        "Stray dogs, dog fouling, dangerous dogs and lost dogs.",
        "stray dog, dog warden, dog fouling, dog mess, lost dog, barking",
        (2, DAYS),
        [I.REPORTING, I.ENFORCEMENT],
        [
            DemoArticle(
                "I have found a stray dog.",
                "The dog warden collects stray dogs during office hours. Out of hours the finder "
                "can take the dog to the kennels at Kingsmere Animal Centre. Owners reclaiming a "
                "dog pay a fee and kennelling costs.",
                [
                    "Ask where the dog is now and whether it is safe or injured.",
                    "Take a description: breed, colour, collar and tag.",
                    "Arrange collection by the dog warden today.",
                    "Out of hours, give the kennels' address.",
                ],
            )
        ],
    ),
    DemoService(
        "pest-control",
        "Pest control",
        431,
        "environmental-health",
        "Treatments for rats, mice, wasps, bedbugs and cockroaches.",
        "pest control, rats, mice, wasps, bedbugs, cockroaches, fleas",
        (5, DAYS),
        [I.APPOINTMENT_BOOKING, I.PAYING, I.INFORMATION],
        [
            DemoArticle(
                "How much does pest control cost?",
                "Rats are treated free for everyone. Mice, wasps, bedbugs and cockroaches are "
                "charged, with half price for people on Council Tax Support. A visit is booked "
                "within 5 working days.",
                [
                    "Confirm the address and what pest it is.",
                    "Ask where it has been seen: inside, garden, loft.",
                    "Quote the fee and whether a concession applies.",
                    "Book the visit and take payment.",
                ],
            )
        ],
    ),
    # Highways and trees.
    DemoService(
        "drainage",
        "Blocked drains and flooding",
        664,
        "highways",
        "Blocked road gullies, surface water and flooding on roads and footpaths.",
        "blocked drain, gully, flooding, surface water, puddle, drainage",
        (8, HOURS),
        [I.REPORTING, I.REPAIRING],
        [
            DemoArticle(
                "The road is flooding because a drain is blocked.",
                "Road gullies are the council's; drains serving homes are the water company's. "
                "Flooding that puts people or homes at risk is attended within 8 working hours.",
                [
                    "Confirm the location and whether water is entering a home.",
                    "If a home is at risk, mark the request urgent and give the out-of-hours "
                    "number.",
                    "Ask whether it is a road gully or a private drain or sewer.",
                    "Give the water company's number for sewers and private drains.",
                ],
            )
        ],
    ),
    DemoService(
        "trees",
        "Trees on council land",
        505,
        "highways",
        "Overhanging, damaged or dangerous trees on streets, parks and council land.",
        "tree, branch, overhanging, fallen tree, roots, dangerous tree",
        (10, DAYS),
        [I.REPORTING, I.INFORMATION],
        [
            DemoArticle(
                "A council tree is overhanging my garden.",
                "We inspect reported trees within 10 working days. We prune trees that are "
                "dangerous, blocking light to windows or touching buildings, but not for leaves, "
                "bird droppings or TV reception. A fallen or dangerous tree is made safe the same "
                "day.",
                [
                    "Confirm the tree's location and whether it is on council land.",
                    "Ask whether it is dangerous or has fallen; if so mark it urgent.",
                    "Explain what pruning we do and do not do.",
                    "Raise an inspection and give the reference.",
                ],
            )
        ],
    ),
    DemoService(
        "grass-cutting",
        "Grass cutting",
        589,
        "highways",
        "Cutting grass on verges, parks and council estates.",
        "grass cutting, verge, mowing, long grass, overgrown",
        (10, DAYS),
        [I.REPORTING],
        [
            DemoArticle(
                "When will the grass on my street be cut?",
                "Verges are cut every 3 weeks from April to October. Sightlines at junctions are "
                "cut more often. Some verges are left long on purpose for wildlife.",
                [
                    "Confirm the location.",
                    "Check the cutting schedule for the street.",
                    "Check whether it is a wildlife verge.",
                    "If it has been missed, raise a request.",
                ],
            )
        ],
    ),
    DemoService(
        "skip-permits",
        "Skip permits",
        521,
        "highways",
        "Permits for putting a skip on the road or pavement.",
        "skip, skip permit, licence, builder, road",
        (3, DAYS),
        [I.ISSUING, I.PAYING],
        [
            DemoArticle(
                "Do I need a permit for a skip?",
                "A permit is needed to put a skip on the road or pavement. The skip company "
                "applies for it; it takes 3 working days and lasts 14 days. Skips on a driveway "
                "need no permit.",
                [
                    "Ask whether the skip will be on the road, pavement or private land.",
                    "Explain that the skip company applies and pays.",
                    "Give the skip company the online form or take the application.",
                ],
            )
        ],
    ),
    # Blue Badge and concessions.
    DemoService(
        "blue-badge",
        "Blue Badge",
        279,
        "concessions",
        "Parking permits for disabled people who have difficulty walking, and renewals.",
        "blue badge, disabled parking, parking permit, renew, lost badge",
        (30, DAYS),
        [I.APPLICATIONS, I.ELIGIBILITY_CHECKING, I.RENEWING, I.REPLACING],
        [
            DemoArticle(
                "How do I apply for a Blue Badge?",
                "Apply on GOV.UK. Some people qualify automatically, for example with the higher "
                "rate mobility component of DLA or 8 points on moving around in PIP. Others are "
                "assessed. A badge costs £10 and lasts up to 3 years. Decisions take up to 12 "
                "weeks.",
                [
                    "Ask whether the application is new, a renewal or a lost or stolen badge.",
                    "Ask about benefits that give automatic eligibility.",
                    "Send the caller to GOV.UK or help them start it.",
                    "Explain the evidence: photo, proof of identity and address, benefit letter.",
                    "Give the expected decision time.",
                ],
            )
        ],
    ),
    DemoService(
        "older-persons-bus-pass",
        "Older person's bus pass",
        273,
        "concessions",
        "Free off-peak bus travel for people of State Pension age.",
        "bus pass, older person, pensioner, concessionary travel, free travel",
        (10, DAYS),
        [I.APPLICATIONS, I.REPLACING, I.ELIGIBILITY_CHECKING],
        [
            DemoArticle(
                "When can I get an older person's bus pass?",
                "From State Pension age. It gives free bus travel from 9:30am to 11pm on weekdays "
                "and all day at weekends and on bank holidays. A replacement for a lost pass "
                "costs £10.",
                [
                    "Check the caller's date of birth against State Pension age.",
                    "Confirm they live in the borough.",
                    "Take the application or send them to the online form.",
                    "Explain that the pass arrives within 10 working days.",
                ],
            )
        ],
    ),
    DemoService(
        "disabled-persons-bus-pass",
        "Disabled person's bus pass",
        280,
        "concessions",
        "Free off-peak bus travel for eligible disabled people.",
        "bus pass, disabled, concessionary travel, companion pass",
        (15, DAYS),
        [I.APPLICATIONS, I.ELIGIBILITY_CHECKING, I.RENEWING],
        [
            DemoArticle(
                "Can I get a disabled person's bus pass?",
                "Yes if, for example, you are blind or partially sighted, profoundly deaf, cannot "
                "speak, have a disability that makes walking very difficult, or would be refused a "
                "driving licence on medical grounds. Evidence is needed.",
                [
                    "Ask which eligibility criterion the caller meets.",
                    "Explain the evidence needed for that criterion.",
                    "Take the application or send them to the online form.",
                    "Ask whether they need a companion pass.",
                ],
            )
        ],
    ),
    # Education.
    DemoService(
        "free-school-meals",
        "Free school meals",
        4,
        "education",
        "Free school meals for children in families on certain benefits.",
        "free school meals, FSM, school lunch, universal credit, pupil premium",
        (10, DAYS),
        [I.APPLICATIONS, I.ELIGIBILITY_CHECKING, I.BENEFITS_AND_GRANTS],
        [
            DemoArticle(
                "Can my child get free school meals?",
                "All infants in Reception to Year 2 get them. Older children qualify if a parent "
                "gets certain benefits, such as Universal Credit. We check eligibility online with "
                "the parent's National Insurance number and tell the school.",
                [
                    "Ask the child's school year and school.",
                    "Ask which benefits the parent receives.",
                    "Take the parent's National Insurance number and date of birth for the check.",
                    "Explain that the school will be told within 10 working days.",
                ],
            )
        ],
    ),
    # Community safety: sensitive.
    DemoService(
        "anti-social-behaviour",
        "Anti-social behaviour and neighbour nuisance",
        1485,
        "community-safety",
        "Persistent nuisance from neighbours: noise, threats, harassment and vandalism.",
        "anti-social behaviour, ASB, neighbour, nuisance, harassment, noise, threats",
        (5, DAYS),
        [I.REPORTING, I.ENFORCEMENT],
        [
            DemoArticle(
                "My neighbour's behaviour is making my life a misery.",
                "A community safety officer contacts the caller within 5 working days and asks "
                "them to keep a diary. If anyone is in danger they must call 999. Repeated "
                "reports may trigger an ASB case review (the Community Trigger).",
                [
                    "If anyone is in immediate danger, tell the caller to ring 999.",
                    "Ask what has happened, how often and since when.",
                    "Ask whether the caller feels safe at home.",
                    "Record the report and explain the diary sheets.",
                    "Tell them an officer will contact them within 5 working days.",
                ],
            )
        ],
        channels=[PHONE, F2F, WEB, EMAIL, PARTNER],
        sensitivity=Sensitivity.SENSITIVE,
    ),
    # Adult safeguarding.
    DemoService(
        "safeguarding-adults",
        "Worries about an adult's safety",
        731,
        "adult-safeguarding",
        "Reporting abuse or neglect of an adult who needs care and support.",
        "safeguarding, abuse, neglect, vulnerable adult, self-neglect, exploitation",
        (4, HOURS),
        [I.NOTIFYING, I.REPORTING],
        [
            DemoArticle(
                "I am worried that an older neighbour is being neglected.",
                "Every concern is passed to the adult safeguarding team at once; they decide "
                "within 4 working hours what to do. If someone is in immediate danger, call 999.",
                [
                    "If anyone is in immediate danger, tell the caller to ring 999.",
                    "Take the adult's name, address and what the caller has seen or heard.",
                    "Ask whether the adult knows about the call and what they want.",
                    "Transfer the call to the safeguarding duty worker, or take full details.",
                    "Do not promise confidentiality; explain the information will be shared to "
                    "keep the person safe.",
                ],
            )
        ],
        channels=[PHONE, F2F, EMAIL, PARTNER],
        sensitivity=Sensitivity.SAFEGUARDING,
    ),
]


def install_demo_catalogue(
    *, actor: Any, organisation: Organisation, teams: dict[str, Team]
) -> dict[str, Service]:
    """Create the demo services and their articles; return them by slug.

    `teams` maps the slugs in DEMO_TEAMS to the organisation's teams. LGSL entries are created
    with their label only when missing, so a full import (`manage.py import_lgsl`) may run
    before or after.
    """
    present = set(LgslService.objects.filter(code__in=LGSL_LABELS).values_list("code", flat=True))
    missing = [
        {"Identifier": str(code), "Label": label, "Description": ""}
        for code, label in LGSL_LABELS.items()
        if code not in present
    ]
    if missing:
        import_lgsl(actor=actor, rows=missing)
    lgsl = LgslService.objects.in_bulk(list(LGSL_LABELS))
    services: dict[str, Service] = {}
    for spec in DEMO_SERVICES:
        sla_value, sla_unit = spec.sla
        service = create_service(
            actor=actor, organisation=organisation, name=spec.name, slug=spec.slug,
            lgsl=lgsl[spec.lgsl], description=spec.description, keywords=spec.keywords,
            owning_team=teams[spec.team], sensitivity=spec.sensitivity, sla_value=sla_value,
            sla_unit=sla_unit, channels=list(spec.channels),
            interaction_types=[int(value) for value in spec.interaction_types],
        )  # fmt: skip
        for article in spec.articles:
            publish_article(
                actor=actor,
                service=service,
                question=article.question,
                answer=article.answer,
                script=article.script,
                last_reviewed_on=article.reviewed,
            )
        services[spec.slug] = service
    install_demo_public_details(actor=actor, services=services)
    install_demo_interactions(actor=actor, services=services)
    return services


# How each interaction type of the demo services is done, for the e-enablement figures: slug ->
# LGIL type -> (channels, staff complete it on-line there and then). Not every route is digital:
# recovery is by letter, benefit claims still need a visit, landlords write in.
MAIL, POST = EMAIL, LETTER
DEMO_INTERACTIONS: dict[str, dict[int, tuple[list[str], bool]]] = {
    "council-tax-bills": {2: ([PHONE, F2F, WEB, POST], True), 8: ([PHONE, F2F, WEB, MAIL], True)},
    "council-tax-recovery": {2: ([PHONE, POST], False)},
    "council-tax-liability": {8: ([PHONE, WEB, MAIL], True)},
    "council-tax-discounts": {0: ([PHONE, F2F, POST], True)},
    "landlord-enquiries": {8: ([MAIL, POST], False)},
    "single-person-discount": {0: ([WEB, PHONE], True)},
    "arrears-arrangements": {2: ([PHONE, F2F], True), 4: ([PHONE, WEB], True)},
    "council-tax-payments": {2: ([WEB, PHONE], True), 4: ([WEB, PHONE, F2F], True)},
    "housing-benefit-claims": {0: ([F2F, POST], False), 7: ([F2F, POST], False)},
    "change-of-circumstances": {7: ([WEB, PHONE, POST], True)},
    "recycling": {0: ([PHONE, WEB], True), 8: ([WEB, PHONE], True)},
    "pest-control": {4: ([PHONE], False), 8: ([WEB, PHONE], True)},
    "trees": {8: ([PHONE, POST], False)},
    "skip-permits": {4: ([POST, F2F], False)},
    "dog-warden": {9: ([PHONE, F2F], False)},
    "blue-badge": {0: ([WEB, PHONE, F2F], True)},
    "older-persons-bus-pass": {0: ([WEB, F2F], True)},
    "disabled-persons-bus-pass": {0: ([F2F, POST], False)},
    "free-school-meals": {0: ([WEB, PHONE], True), 7: ([WEB], True)},
}  # fmt: skip


def install_demo_interactions(*, actor: Any, services: dict[str, Service]) -> None:
    for slug, interactions in DEMO_INTERACTIONS.items():
        for kind, (channels, staff_online) in interactions.items():
            set_interaction(
                actor=actor, service=services[slug], interaction_type=kind, channels=channels,
                staff_complete_online=staff_online,
            )  # fmt: skip


# How the demo services meet the public: which take reports or questions online, what each
# asks, and how to get it done by other routes. Services not listed are information only.

PROBLEM, ENQUIRY = RequestKind.PROBLEM, RequestKind.ENQUIRY
ONLINE_REPORT = "Report it online at any time. You'll get a reference to track it."
PHONE_LINE = "Call 0300 123 4567, Monday to Friday, 8:30am to 5pm."
ONE_STOP = "Visit the one-stop shop at Kingsmere Town Hall, Monday to Friday, 9am to 5pm."

# slug: (request kind, anonymous allowed, group)
DEMO_PUBLIC = {
    "missed-bin": (PROBLEM, False, "Bins and recycling"),
    "recycling": (PROBLEM, False, "Bins and recycling"),
    "street-cleaning": (PROBLEM, True, "Streets"),
    "graffiti": (PROBLEM, True, "Streets"),
    "flytipping": (PROBLEM, True, "Streets"),
    "abandoned-vehicles": (PROBLEM, True, "Streets"),
    "drainage": (PROBLEM, True, "Roads and pavements"),
    "trees": (PROBLEM, True, "Roads and pavements"),
    "grass-cutting": (PROBLEM, True, "Parks and open spaces"),
    "dog-warden": (PROBLEM, False, "Animals and pests"),
    "pest-control": (ENQUIRY, False, "Animals and pests"),
    "council-tax-bills": (ENQUIRY, False, "Council Tax"),
    "single-person-discount": (ENQUIRY, False, "Council Tax"),
    "housing-benefit-claims": (ENQUIRY, False, "Benefits"),
    "blue-badge": (ENQUIRY, False, "Parking and travel"),
    "skip-permits": (ENQUIRY, False, "Roads and pavements"),
    "anti-social-behaviour": (PROBLEM, False, "Community safety"),
}


def _choices(*pairs: str) -> list[dict[str, str]]:
    return [{"key": pairs[i], "name": pairs[i + 1]} for i in range(0, len(pairs), 2)]


DEMO_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "missed-bin": [
        {"code": "bin_type", "prompt": "Which bin was missed?", "datatype": "singlevaluelist",
         "required": True, "choices": _choices("general", "General waste (black bin)",
                                                "recycling", "Recycling (blue bin)",
                                                "garden", "Garden waste (brown bin)",
                                                "food", "Food waste caddy")},
        {"code": "put_out_by", "prompt": "Was the bin out by 7am on collection day?",
         "datatype": "singlevaluelist", "required": True,
         "choices": _choices("yes", "Yes", "no", "No")},
    ],
    "graffiti": [
        {"code": "surface", "prompt": "What is the graffiti on?", "datatype": "singlevaluelist",
         "required": True, "choices": _choices("wall", "A wall or building",
                                                "bus_shelter", "A bus shelter",
                                                "street_furniture", "A sign, bench or bin",
                                                "other", "Something else")},
        {"code": "offensive", "prompt": "Is it offensive or racist?",
         "datatype": "singlevaluelist", "required": True,
         "hint": "We remove offensive graffiti within one working day.",
         "choices": _choices("yes", "Yes", "no", "No")},
    ],
    "flytipping": [
        {"code": "waste_types", "prompt": "What has been dumped?", "datatype": "multivaluelist",
         "required": True, "hint": "Select all that apply.",
         "choices": _choices("household", "Household rubbish", "furniture", "Furniture",
                             "building", "Building rubble", "tyres", "Tyres",
                             "hazardous", "Chemicals, asbestos or needles")},
        {"code": "amount", "prompt": "How much is there?", "datatype": "singlevaluelist",
         "choices": _choices("bag", "A few bags", "car", "A car boot load",
                             "van", "A van load or more")},
    ],
    "abandoned-vehicles": [
        {"code": "registration", "prompt": "Vehicle registration number", "datatype": "string",
         "required": True},
        {"code": "days_there", "prompt": "How many days has it been there?",
         "datatype": "number"},
    ],
    "trees": [
        {"code": "danger", "prompt": "Is the tree dangerous right now?",
         "datatype": "singlevaluelist", "required": True,
         "hint": "If a tree has fallen across a road, call us on 0300 123 4567 instead.",
         "choices": _choices("yes", "Yes", "no", "No")},
    ],
    "dog-warden": [
        {"code": "problem", "prompt": "What is the problem?", "datatype": "singlevaluelist",
         "required": True, "choices": _choices("fouling", "Dog fouling", "stray", "A stray dog",
                                                "barking", "Persistent barking")},
        {"code": "seen_at", "prompt": "When did you last see it?", "datatype": "datetime"},
    ],
}  # fmt: skip


def top_up_demo_catalogue(*, actor: Any, services: dict[str, Service]) -> None:
    """Give a demo or benchmark catalogue made by an earlier version what later ones add: the
    public details and questions, and how each interaction type is done."""
    if not any(service.request_kind != RequestKind.NONE for service in services.values()):
        install_demo_public_details(actor=actor, services=services)
    if not ServiceInteraction.objects.filter(service__in=services.values()).exists():
        install_demo_interactions(actor=actor, services=services)


def install_demo_public_details(*, actor: Any, services: dict[str, Service]) -> None:
    for slug, service in services.items():
        kind, anonymous, group = DEMO_PUBLIC.get(slug, (RequestKind.NONE, False, ""))
        set_public_details(
            actor=actor,
            service=service,
            request_kind=kind,
            allows_anonymous=anonymous,
            group=group,
            how_online=ONLINE_REPORT if kind != RequestKind.NONE else "",
            how_by_phone=PHONE_LINE if Channel.PHONE in service.channels else "",
            how_in_person=ONE_STOP if Channel.FACE_TO_FACE in service.channels else "",
        )
        for order, question in enumerate(DEMO_QUESTIONS.get(slug, []), start=1):
            add_question(actor=actor, service=service, order=order, **question)


# How the demo council works its cases: first response promises, targets that differ by
# priority, what counts as a possible duplicate, who assigns the work and which wards a second
# team covers. Written after the gazetteer is loaded, because routing rules name wards.

Target = tuple[int, str]


@dataclass(frozen=True)
class DemoCaseSettings:
    first_response: Target | None = None
    # Priority -> (first response, resolution): None keeps the service's own target.
    priorities: dict[str, tuple[Target | None, Target | None]] = field(default_factory=dict)
    # Days to look back and metres around the place; (0, 0) for casework about a person.
    duplicate: tuple[int, int] = (0, 0)


URGENT, HIGH, LOW = Priority.URGENT, Priority.HIGH, Priority.LOW
PERSONAL = DemoCaseSettings  # revenues, benefits and the like: no duplicates by place

DEMO_CASE_SETTINGS: dict[str, DemoCaseSettings] = {
    "council-tax-bills": PERSONAL((2, DAYS)),
    # Urgent: an enforcement agent's visit is days away.
    "council-tax-recovery": PERSONAL((1, DAYS), {URGENT: ((2, HOURS), (1, DAYS))}),
    "council-tax-liability": PERSONAL((3, DAYS)),
    "council-tax-discounts": PERSONAL((3, DAYS)),
    "council-tax-exemptions": PERSONAL((3, DAYS)),
    "landlord-enquiries": PERSONAL((3, DAYS)),
    "single-person-discount": PERSONAL((3, DAYS)),
    "arrears-arrangements": PERSONAL((1, DAYS), {URGENT: ((2, HOURS), (1, DAYS))}),
    "council-tax-payments": PERSONAL((4, HOURS)),
    # Urgent: the claimant is at risk of eviction.
    "housing-benefit-claims": PERSONAL((2, DAYS), {URGENT: ((4, HOURS), (5, DAYS))}),
    "change-of-circumstances": PERSONAL((2, DAYS)),
    "missed-bin": DemoCaseSettings((1, DAYS), duplicate=(3, 10)),
    "recycling": DemoCaseSettings((2, DAYS), duplicate=(7, 10)),
    # Urgent: broken glass or needles on a path.
    "street-cleaning": DemoCaseSettings(
        (1, DAYS), {URGENT: ((1, HOURS), (4, HOURS))}, duplicate=(7, 100)
    ),
    # Urgent: offensive or racist graffiti.
    "graffiti": DemoCaseSettings((2, DAYS), {URGENT: ((4, HOURS), (1, DAYS))}, duplicate=(30, 25)),
    # Urgent: hazardous waste such as asbestos, or rubbish blocking a road.
    "flytipping": DemoCaseSettings(
        (1, DAYS), {URGENT: ((2, HOURS), (1, DAYS))}, duplicate=(14, 50)
    ),
    # Urgent: burnt out, leaking fuel or dangerously parked.
    "abandoned-vehicles": DemoCaseSettings(
        (2, DAYS), {URGENT: ((2, HOURS), (1, DAYS))}, duplicate=(28, 30)
    ),
    # Urgent: a dangerous dog loose.
    "dog-warden": DemoCaseSettings(
        (4, HOURS), {URGENT: ((1, HOURS), (4, HOURS))}, duplicate=(7, 100)
    ),
    # High: rats inside a home.
    "pest-control": DemoCaseSettings((1, DAYS), {HIGH: (None, (3, DAYS))}, duplicate=(14, 10)),
    # Urgent: water getting into a home; low: a slow gully with no flooding.
    "drainage": DemoCaseSettings(
        (2, HOURS), {URGENT: ((1, HOURS), (4, HOURS)), LOW: (None, (5, DAYS))}, duplicate=(7, 100)
    ),
    # Urgent: a dangerous tree, e.g. a split limb over a road.
    "trees": DemoCaseSettings(
        (2, DAYS),
        {URGENT: ((2, HOURS), (1, DAYS)), HIGH: (None, (3, DAYS)), LOW: (None, (20, DAYS))},
        duplicate=(30, 20),
    ),
    "grass-cutting": DemoCaseSettings((3, DAYS), {LOW: (None, (20, DAYS))}, duplicate=(14, 200)),
    "skip-permits": PERSONAL((1, DAYS)),
    "blue-badge": PERSONAL((5, DAYS)),
    "older-persons-bus-pass": PERSONAL((5, DAYS)),
    "disabled-persons-bus-pass": PERSONAL((5, DAYS)),
    "free-school-meals": PERSONAL((3, DAYS)),
    # Urgent: threats of violence.
    "anti-social-behaviour": PERSONAL((2, DAYS), {URGENT: ((4, HOURS), (2, DAYS))}),
    "safeguarding-adults": PERSONAL((1, HOURS)),
}

# How each team's new cases find an officer; teams not named are assigned by hand.
DEMO_TEAM_ASSIGNMENT = {
    "waste-north": Team.CaseAssignment.ROUND_ROBIN,
    "highways": Team.CaseAssignment.LEAST_LOADED,
}
# What a team promises when work is referred to it: working hours to acknowledge, working days
# to complete. Teams not named keep the defaults (8 hours, 10 days).
DEMO_REFERRAL_PROMISES = {"advice": (16, 15), "benefits": (8, 5)}
# The street services in these wards go to the second waste team.
NORTH_WARDS = ("Ashby Fields", "Holloway Green")
NORTH_SERVICES = ("missed-bin", "recycling", "street-cleaning", "graffiti", "flytipping")
DEMO_ROUTING = [(slug, ward, "waste-north") for slug in NORTH_SERVICES for ward in NORTH_WARDS]


@transaction.atomic
def install_demo_case_settings(
    *, actor: Any, organisation: Organisation, teams: dict[str, Team]
) -> None:
    """SLA promises, duplicate settings, assignment modes and routing rules for the demo council.

    `teams` maps team slugs (those in DEMO_TEAMS and the partner's "advice") to teams. Safe to
    run again. The catalogue has no service functions for these settings yet, so they are
    written here, each change with its audit entry.
    """
    services = {service.slug: service for service in organisation.services.all()}
    for slug, settings in DEMO_CASE_SETTINGS.items():
        service = services.get(slug)
        if service is None:
            continue
        value, unit = settings.first_response or (None, SlaUnit.WORKING_HOURS)
        window, radius = settings.duplicate
        changes = {
            "first_response_value": value,
            "first_response_unit": unit,
            "duplicate_window_days": window,
            "duplicate_radius_metres": radius,
        }
        if any(getattr(service, name) != wanted for name, wanted in changes.items()):
            Service.objects.filter(pk=service.pk).update(**changes)
            record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=service,
                summary=f"Case settings for {service.name}",
                detail={key: str(value) for key, value in changes.items()},
            )
        for priority, (first_response, resolution) in settings.priorities.items():
            fields = {
                "first_response_value": first_response[0] if first_response else None,
                "first_response_unit": first_response[1] if first_response else HOURS,
                "resolution_value": resolution[0] if resolution else None,
                "resolution_unit": resolution[1] if resolution else DAYS,
            }
            target, created = SlaTarget.objects.update_or_create(
                service=service, priority=priority, defaults=fields
            )
            if created:
                record(
                    actor=actor,
                    action=AuditAction.CREATED,
                    target=target,
                    summary=f"{priority.capitalize()} priority target for {service.name}",
                    organisation_id=organisation.pk,
                )
    for slug, mode in DEMO_TEAM_ASSIGNMENT.items():
        _set_team(actor, teams.get(slug), {"case_assignment": mode})
    for slug, (hours, days) in DEMO_REFERRAL_PROMISES.items():
        _set_team(
            actor,
            teams.get(slug),
            {"referral_acknowledge_hours": hours, "referral_complete_days": days},
        )
    wards = {ward.name: ward for ward in Ward.objects.filter(organisation=organisation)}
    for slug, ward_name, team_slug in DEMO_ROUTING:
        if slug not in services or ward_name not in wards or team_slug not in teams:
            continue
        rule, created = RoutingRule.objects.get_or_create(
            service=services[slug], ward=wards[ward_name], defaults={"team": teams[team_slug]}
        )
        if created:
            record(
                actor=actor,
                action=AuditAction.CREATED,
                target=rule,
                summary=f"Routing rule: {rule}",
                organisation_id=organisation.pk,
            )


def _set_team(actor: Any, team: Team | None, changes: dict[str, Any]) -> None:
    if team is None or all(getattr(team, name) == value for name, value in changes.items()):
        return
    Team.objects.filter(pk=team.pk).update(**changes)
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=team,
        summary=f"Case settings for {team.name}",
        detail={key: str(value) for key, value in changes.items()},
    )
