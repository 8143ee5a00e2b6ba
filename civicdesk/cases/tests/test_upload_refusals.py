"""Files a case, an application or a report must not hold, refused with a message the uploader
can act on: SVG images and web pages (whose scripts a browser would run), whatever their name
says; and, whatever the bytes and the name, an upload is either accepted or refused with a
message, never an error."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.api.tests.fuzzing import fuzz_settings
from civicdesk.cases import uploads
from civicdesk.cases.tests.images import jpeg, png

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/staff/').then(r => r.text()).then(alert)</script></svg>\n"
)
MARKUP_MESSAGE = "The selected file must be a PDF, JPG, PNG, WebP, Word, Excel, ODT, TXT or CSV, "


def check(content: bytes, name: str) -> uploads.CheckedFile:
    return uploads.check_upload(io.BytesIO(content), name, len(content))


def zip_of(names: list[str], corrupt: list[tuple[int, int]]) -> bytes:
    """A small archive of `names`, then with each (position, value) in `corrupt` written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, b"<xml/>" * 20)
    content = bytearray(buffer.getvalue())
    for position, value in corrupt:
        content[position % len(content)] = value
    return bytes(content)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (SVG, "map.svg"),
        (SVG, "map.png"),  # mislabelled as an image
        (SVG, "map.txt"),  # renamed to pass as text, as the old message suggested
        (b"\xef\xbb\xbf  \n<svg onload='alert(1)'/>", "map.txt"),
        (b"<!DOCTYPE html><html><body onload='alert(1)'></body></html>", "page.txt"),
        (b"<html><script>alert(1)</script></html>", "notes.csv"),
        (b"Dear council,\nplease see <script>alert(1)</script>\n", "letter.txt"),
    ],
)
def test_svg_and_web_pages_are_refused_whatever_their_name(content: bytes, name: str):
    with pytest.raises(ValidationError) as caught:
        check(content, name)
    message = caught.value.message_dict["file"][0]
    assert message == MARKUP_MESSAGE + "not an SVG image or a web page."


def test_text_with_a_less_than_sign_is_still_text():
    checked = check(b"Bags: 3 < 5 sofas\nOutside number 4\n", "notes.txt")
    assert checked.content_type == "text/plain"


# A local header claiming more than the file holds; the directory's offset past the start.
@pytest.mark.parametrize("position", [28, 119])
def test_an_archive_damaged_in_its_headers_is_refused_not_an_error(position: int):
    """The fuzzer's finds: EOFError and ValueError escaped from zipfile, a 500 on upload."""
    content = zip_of(["mimetype"], [(position, 0xFF)])
    with pytest.raises(ValidationError) as caught:
        check(content, "letter.odt")
    assert caught.value.message_dict["file"][0].startswith("The selected file must be a PDF")


# Any bytes behind any name.


HEADS = st.sampled_from(
    [
        b"",
        b"%PDF-",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"RIFF\x00\x00\x00\x00WEBPVP8X",
        b"RIFF\x00\x00\x00\x00WEBPVP8L",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"PK\x03\x04",
        b"<svg",
        b"\xef\xbb\xbf",
    ]
)
CONTENTS = st.one_of(
    st.tuples(HEADS, st.binary(max_size=200)).map(b"".join),
    st.builds(
        zip_of,
        st.lists(
            st.sampled_from(["mimetype", "[Content_Types].xml", "word/document.xml", "xl/a"]),
            max_size=3,
            unique=True,
        ),
        st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
    ),
    st.sampled_from([png(1, 1), jpeg(1, 1), png(0, 0), jpeg(65_535, 65_535)]),
)
EXTENSIONS = [".pdf", ".PNG", ".jpg", ".jpeg", ".webp", ".docx", ".xlsx", ".odt", ".txt", ".csv",
              ".svg", ".zip", ".exe", ""]  # fmt: skip
NAMES = st.one_of(
    st.text(max_size=30),
    st.tuples(st.text(max_size=10), st.sampled_from(EXTENSIONS)).map("".join),
)


@fuzz_settings(300)
@given(content=CONTENTS, name=NAMES)
def test_any_upload_is_accepted_or_refused_with_a_message(content: bytes, name: str):
    try:
        checked = check(content, name)
    except ValidationError as error:
        assert error.message_dict["file"][0].strip()
    else:
        assert checked.content_type in {kind for kind, _names in uploads.ALLOWED_TYPES.values()}
        assert checked.size == len(content) and checked.name
