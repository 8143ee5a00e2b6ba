"""Evidence on an e-form, and files sent when the council asks for more information, are PDF,
JPG or PNG, and a refusal says so, not every type a case attachment may be."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from civicdesk.cases.models import Attachment
from civicdesk.cases.tests.test_upload_refusals import SVG
from civicdesk.cases.tests.test_upload_types import WEBP
from civicdesk.cases.tests.test_uploads import DOCX, EXE, TEXT
from civicdesk.forms import applications
from civicdesk.forms.models import Evidence
from civicdesk.forms.tests.applying import *  # noqa: F403 (the fixtures)
from civicdesk.forms.tests.applying import pages, photo

pytestmark = pytest.mark.django_db

REFUSED = "The selected file must be a PDF, JPG or PNG."
MARKUP = "The selected file must be a PDF, JPG or PNG, not an SVG image or a web page."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("face.png", EXE, REFUSED),
        ("face.webp", WEBP, REFUSED),  # a picture a case may hold, but not evidence
        ("letter.docx", DOCX, REFUSED),
        ("face.png", TEXT, REFUSED),
        ("face.png", SVG, MARKUP),
    ],
    ids=["program", "webp", "word", "text", "svg"],
)
def test_evidence_is_refused_naming_what_the_form_takes(
    started: Any, resident: Any, name: str, content: bytes, message: str
):
    with pytest.raises(ValidationError) as refused:
        applications.save_answers(
            actor=resident,
            application=started,
            page=pages(started)[2],
            answers={},
            files={"photo": [photo(name, content)]},
        )
    assert refused.value.message_dict == {"photo": [message]}
    assert not Evidence.objects.exists()


def test_more_information_takes_the_same_types(sent: Any, officer: Any, resident: Any):
    asked = applications.ask_for_information(
        actor=officer, application=sent, request="Send your PIP award letter."
    )
    with pytest.raises(ValidationError) as refused:
        applications.provide_information(
            actor=resident, application=asked, text="", files=[photo("letter.docx", DOCX)]
        )
    assert refused.value.message_dict == {"files": [REFUSED]}
    assert not Attachment.objects.filter(name="letter.docx").exists()
