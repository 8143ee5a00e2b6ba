"""An upload field names exactly the types it takes when it refuses a file (GOV.UK: "The selected
file must be a PDF, JPG or PNG"): a case attachment every type a case may hold, an e-form's
evidence only PDF, JPG or PNG, a report's photos only images."""

import io

import pytest
from django.core.exceptions import ValidationError

from civicdesk.cases import uploads
from civicdesk.cases.tests.images import jpeg, png
from civicdesk.cases.tests.test_upload_refusals import SVG
from civicdesk.cases.tests.test_uploads import DOCX, EXE, PDF, TEXT

EVIDENCE = ("pdf", "jpeg", "png")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8X" + b"\x0a\x00\x00\x00" + b"\x00" * 4 + b"\x09\x00\x00" * 2


def refusal(content: bytes, name: str, **accepted: tuple[str, ...]) -> str:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(io.BytesIO(content), name, len(content), **accepted)
    return caught.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("accepted", "words"),
    [
        (tuple(uploads.ALLOWED_TYPES), "PDF, JPG, PNG, WebP, Word, Excel, ODT, TXT or CSV"),
        (EVIDENCE, "PDF, JPG or PNG"),
        (("png", "pdf", "jpeg"), "PDF, JPG or PNG"),  # always in the same order
        (("webp", "png", "jpeg"), "JPG, PNG or WebP"),
        (("text",), "TXT or CSV"),
        (("pdf",), "PDF"),
    ],
)
def test_the_accepted_types_in_words(accepted: tuple[str, ...], words: str):
    assert uploads.describe_types(accepted) == words


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (EXE, "face.png"),  # not a type a case holds
        (TEXT, "notes.txt"),  # types a case holds, but not evidence
        (DOCX, "letter.docx"),
        (WEBP, "face.webp"),
        (TEXT, "face.png"),  # not "rename it": no name would make it evidence
    ],
    ids=["program", "text", "word", "webp", "text-named-png"],
)
def test_evidence_is_refused_naming_pdf_jpg_and_png(content: bytes, name: str):
    assert (
        refusal(content, name, accepted=EVIDENCE) == "The selected file must be a PDF, JPG or PNG."
    )


def test_markup_refused_as_evidence_names_pdf_jpg_and_png():
    assert refusal(SVG, "face.png", accepted=EVIDENCE) == (
        "The selected file must be a PDF, JPG or PNG, not an SVG image or a web page."
    )


@pytest.mark.parametrize(
    ("content", "name"), [(PDF, "form.pdf"), (png(1, 1), "face.png"), (jpeg(1, 1), "face.jpg")]
)
def test_evidence_of_the_types_it_takes_is_accepted(content: bytes, name: str):
    checked = uploads.check_upload(io.BytesIO(content), name, len(content), accepted=EVIDENCE)
    assert checked.name == name


def test_a_case_attachment_refusal_names_every_type_a_case_holds():
    assert refusal(EXE, "setup.exe") == (
        "The selected file must be a PDF, JPG, PNG, WebP, Word, Excel, ODT, TXT or CSV."
    )


def test_a_name_that_disagrees_with_an_accepted_type_is_still_to_be_renamed():
    assert refusal(PDF, "face.png", accepted=EVIDENCE).startswith(
        "The file's name says one type but it contains another"
    )
