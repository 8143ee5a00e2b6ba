"""Attachments: the bytes decide the type, the size is capped, the name is ours."""

import hashlib
import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases import services, uploads
from civicdesk.cases.models import Attachment, CaseEvent, EventKind
from civicdesk.cases.tests.images import JPEG_HEADER, jpeg, png

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = jpeg(1, 1)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
TEXT = b"Fly-tip reported at the corner of Elm Road and Cedar Close.\n"


def office_file(*names: str, mimetype: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype)
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


DOCX = office_file("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office_file("[Content_Types].xml", "xl/workbook.xml")
ODT = office_file("content.xml", mimetype=b"application/vnd.oasis.opendocument.text")
PLAIN_ZIP = office_file("holiday.jpg")


def check(content: bytes, name: str):
    return uploads.check_upload(io.BytesIO(content), name, len(content))


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF, "report.pdf", "application/pdf"),
        (PNG, "photo.png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (JPEG, "PHOTO.JPEG", "image/jpeg"),
        (
            DOCX,
            "letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (XLSX, "rents.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ODT, "letter.odt", "application/vnd.oasis.opendocument.text"),
        (TEXT, "notes.txt", "text/plain"),
        (b"date,place\n2026-03-02,Elm Road\n", "log.csv", "text/plain"),
    ],
)
def test_accepted_by_their_bytes(content, name, content_type):
    checked = check(content, name)
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_the_extension_is_lower_cased():
    assert check(JPEG, "PHOTO.JPEG").name == "PHOTO.jpeg"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "invoice.pdf", "The selected file must be a PDF, JPG, PNG"),
        (EXE, "setup.exe", "The selected file must be a PDF, JPG, PNG"),
        (PLAIN_ZIP, "letter.docx", "The selected file must be a PDF, JPG, PNG"),
        (PDF, "photo.png", "The file's name says one type but it contains another"),
        (TEXT, "report.pdf", "The file's name says one type but it contains another"),
        (DOCX, "letter.zip", "The file's name says one type but it contains another"),
        (b"\xff\xfe\x00b\x00a\x00d", "notes.txt", "The selected file must be a PDF"),
        (b"", "empty.txt", "The selected file is empty."),
    ],
)
def test_refused(content, name, message):
    with pytest.raises(ValidationError) as caught:
        check(content, name)
    assert caught.value.message_dict["file"][0].startswith(message)


def test_ten_megabytes_and_no_more():
    limit = uploads.MAX_ATTACHMENT_BYTES
    assert limit == 10 * 1024 * 1024
    assert check(b"a" * limit, "big.txt").size == limit
    with pytest.raises(ValidationError) as caught:
        check(b"a" * (limit + 1), "big.txt")
    assert caught.value.message_dict["file"] == ["The selected file must be smaller than 10MB."]


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    content = b"a" * (uploads.SNIFF_BYTES - 1) + "é".encode() + b"tail"
    assert check(content, "notes.txt").content_type == "text/plain"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ada\\Desktop\\notes.txt", "notes.txt"),
        ("notes\x00\x07.txt", "notes.txt"),
        ("  notes.txt. ", "notes.txt"),
        ("e\u0301t\u00e9.txt", "\u00e9t\u00e9.txt"),  # normalised to composed characters
        ("x" * 300 + ".txt", "x" * 196 + ".txt"),
    ],
)
def test_names_are_cleaned(given, kept):
    assert uploads.safe_name(given) == kept


@pytest.mark.parametrize("name", ["", "...", "../", "\x00"])
def test_a_file_needs_a_name(name):
    with pytest.raises(ValidationError) as caught:
        uploads.safe_name(name)
    assert caught.value.message_dict["file"] == ["The file needs a name."]


# Storing on a case


def test_add_attachment_keeps_the_file_under_a_name_of_ours(raise_, officer, media, clock):
    case = raise_()
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="text/html")
    attachment = services.add_attachment(actor=officer, case=case, upload=upload)
    assert attachment.name == "passwd.pdf"
    assert attachment.content_type == "application/pdf"  # the bytes', not the browser's say-so
    assert (attachment.size, attachment.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert attachment.uploaded_by == officer
    stored = attachment.file.name
    assert stored.startswith("cases/2026/03/")
    assert "passwd" not in stored
    assert stored.endswith(".pdf")
    assert (media / stored).read_bytes() == PDF
    event = CaseEvent.objects.get(case=case, kind=EventKind.ATTACHMENT)
    assert (event.attachment, event.text) == (attachment, "passwd.pdf")


def test_two_uploads_of_the_same_name_do_not_collide(raise_, officer, media):
    case = raise_()
    first = services.add_attachment(
        actor=officer, case=case, upload=SimpleUploadedFile("photo.png", PNG)
    )
    second = services.add_attachment(
        actor=officer, case=case, upload=SimpleUploadedFile("photo.png", PNG + b"\x00")
    )
    assert first.file.name != second.file.name
    assert (media / first.file.name).read_bytes() == PNG


def test_a_refused_upload_leaves_nothing_behind(raise_, officer, media):
    case = raise_()
    with pytest.raises(ValidationError):
        services.add_attachment(
            actor=officer, case=case, upload=SimpleUploadedFile("invoice.pdf", EXE)
        )
    assert not Attachment.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_only_the_case_team_attaches(raise_, agent, media):
    with pytest.raises(PermissionDenied):
        services.add_attachment(
            actor=agent, case=raise_(), upload=SimpleUploadedFile("notes.txt", TEXT)
        )
    assert not Attachment.objects.exists()


def test_a_zip_bomb_is_not_unpacked():
    """Only the first bytes of an ODT's `mimetype` member are read, however large it is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b"\0" * 2**26)
    content = buffer.getvalue()
    assert len(content) < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            check(content, "letter.odt")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_a_damaged_archive_is_refused_not_an_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" * 10)
    content = bytearray(buffer.getvalue())
    start = content.find(b"mimetype") + len(b"mimetype")
    content[start : start + 6] = b"\xff" * 6  # the compressed data, now nonsense
    with pytest.raises(ValidationError):
        check(bytes(content), "letter.odt")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (png(100_000, 100_000), "bomb.png"),
        (png(30_000, 10), "strip.png"),
        (jpeg(12_000, 12_000), "bomb.jpg"),
        # WebP's extended header: a canvas of 16,384 by 16,384.
        (b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00"
         + (16_383).to_bytes(3, "little") * 2, "bomb.webp"),
    ],
)  # fmt: skip
def test_images_declaring_huge_dimensions_are_refused(content, name):
    with pytest.raises(ValidationError, match="too large"):
        check(content, name)


def test_a_phone_photo_sized_image_is_accepted():
    assert check(jpeg(4032, 3024), "garden.jpg").content_type == "image/jpeg"
    assert check(png(1170, 2532), "screenshot.png").content_type == "image/png"


def test_an_image_whose_size_cannot_be_read_is_refused():
    with pytest.raises(ValidationError, match="damaged"):
        check(JPEG_HEADER + b"\xff\xd9", "photo.jpg")
