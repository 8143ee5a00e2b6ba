"""What a case may have attached: the file's own bytes decide its type, not its name or the
browser's say-so, and the name must agree with what the bytes are."""

import hashlib
import os
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 8192

# Detected type -> (content type, the extensions a file of that type may carry)
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "webp": ("image/webp", (".webp",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "text": ("text/plain", (".txt", ".csv")),
}
ALLOWED_DESCRIPTION = "PDF, JPG, PNG, WebP, Word, Excel, ODT, TXT or CSV"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def safe_name(name: str) -> str:
    """The last part of the name the browser sent, without control characters or a path."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = name.strip(" .")
    if not name:
        raise ValidationError({"file": _("The file needs a name.")})
    stem, extension = os.path.splitext(name)
    return stem[: 200 - len(extension)] + extension.lower()


def _zip_kind(stream: IO[bytes]) -> str | None:
    """Office documents are zip files; the names inside say which kind. Nothing is unpacked."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # Read a few bytes, never the whole member: `archive.read` would inflate all
                # of it, and a 10MB upload can inflate to gigabytes (a zip bomb).
                with archive.open("mimetype") as member:
                    mimetype = member.read(64)
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "odt"
    # A damaged archive is just not a document: zlib.error comes from corrupt compressed data,
    # NotImplementedError from a compression method Python cannot read.
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError, zlib.error):
        return None
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
    return None


def _sniff(stream: IO[bytes], head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        stream.seek(0)
        return _zip_kind(stream)
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut off at the end of the sample is still text.
            if error.start < len(head) - 3:
                return None
        return "text"
    return None


def check_upload(stream: IO[bytes], name: str, size: int) -> CheckedFile:
    """Refuse what a case should not hold, with a message the uploader can act on."""
    name = safe_name(name)
    if size == 0:
        raise ValidationError({"file": _("The selected file is empty.")})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The selected file must be smaller than 10MB.")})
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    kind = _sniff(stream, head)
    if kind is None:
        raise ValidationError({"file": _("The selected file must be a %s.") % ALLOWED_DESCRIPTION})
    content_type, extensions = ALLOWED_TYPES[kind]
    if os.path.splitext(name)[1] not in extensions:
        raise ValidationError(
            {"file": _("The file's name says one type but it contains another: rename it.")}
        )
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())
