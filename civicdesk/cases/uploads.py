"""What a case may have attached: the file's own bytes decide its type, not its name or the
browser's say-so, and the name must agree with what the bytes are."""

import hashlib
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 8192
# Text files are searched for markup this much at a time, from start to end.
SCAN_CHUNK_BYTES = 1024 * 1024
# A photo from any phone is well inside this; a small file declaring more is made to exhaust
# the memory of whoever decodes it (a staff member's browser, a future thumbnailer).
MAX_IMAGE_PIXELS = 100_000_000
MAX_IMAGE_SIDE = 20_000

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
# Of the types a case may hold, the images: what a photo field takes.
PHOTO_TYPES = ("jpeg", "png", "webp")
# What people call each type, in the order messages name them ("PDF, JPG or PNG").
TYPE_NAMES: dict[str, tuple[str, ...]] = {
    "pdf": ("PDF",),
    "jpeg": ("JPG",),
    "png": ("PNG",),
    "webp": ("WebP",),
    "docx": ("Word",),
    "xlsx": ("Excel",),
    "odt": ("ODT",),
    "text": ("TXT", "CSV"),
}
# Text that a browser would render as a page or an image, running any script inside it.
MARKUP_TAGS = (b"<svg", b"<script", b"<html", b"<iframe", b"<!doctype", b"<?xml")
# One pass over the text for any of them, in any case: a few milliseconds for 10MB of rows.
_MARKUP_TAG = re.compile(b"|".join(re.escape(tag) for tag in MARKUP_TAGS), re.IGNORECASE)
# Each chunk is searched with this much of the one before, so a tag split between two is found.
_TAG_OVERLAP = max(len(tag) for tag in MARKUP_TAGS) - 1


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def describe_types(accepted: Collection[str]) -> str:
    """The accepted types in words for a refusal, like "PDF, JPG or PNG": each upload field
    names what it takes, not everything a case may hold."""
    names = [name for kind, words in TYPE_NAMES.items() if kind in accepted for name in words]
    return get_text_list(names, _("or"))


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
    # NotImplementedError from a compression method Python cannot read, EOFError from a member
    # cut short and ValueError from offsets pointing before the start of the file.
    except (
        zipfile.BadZipFile,
        OSError,
        KeyError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
        EOFError,
        ValueError,
    ):
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
        return "markup" if _is_markup(stream, head) else "text"
    return None


def _is_markup(stream: IO[bytes], head: bytes) -> bool:
    """SVG, HTML or XML, whatever the name says: text that opens with a tag or holds one."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or _holds_tag(stream)


def _holds_tag(stream: IO[bytes]) -> bool:
    """Whether a markup tag is anywhere in the file, not only in the sniffed head: a page
    after 8KB of harmless text still runs its script once a browser renders it."""
    stream.seek(0)
    carried = b""
    for chunk in iter(lambda: stream.read(SCAN_CHUNK_BYTES), b""):
        text = carried + chunk
        if _MARKUP_TAG.search(text):
            return True
        carried = text[-_TAG_OVERLAP:]
    return False


def _jpeg_size(stream: IO[bytes]) -> tuple[int, int] | None:
    """From the first start-of-frame segment, walking the segments without decoding."""
    stream.seek(2)
    while True:
        marker = stream.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        if marker[1] in (0xD8, 0x01) or 0xD0 <= marker[1] <= 0xD7:
            continue  # markers without a length
        length_bytes = stream.read(2)
        if len(length_bytes) < 2:
            return None
        length = struct.unpack(">H", length_bytes)[0]
        if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
            frame = stream.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        if length < 2:
            return None
        stream.seek(length - 2, os.SEEK_CUR)


def _image_size(kind: str, stream: IO[bytes], head: bytes) -> tuple[int, int] | None:
    """The width and height an image declares in its header; None if it cannot be read."""
    if kind == "png" and len(head) >= 24 and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if kind == "jpeg":
        return _jpeg_size(stream)
    if kind == "webp" and len(head) >= 30:
        chunk = head[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(head[24:27], "little") + 1
            return width, int.from_bytes(head[27:30], "little") + 1
        if chunk == b"VP8L":
            bits = int.from_bytes(head[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", head[26:30])
            return width & 0x3FFF, height & 0x3FFF
    return None


def _check_image(kind: str, stream: IO[bytes], head: bytes) -> None:
    size = _image_size(kind, stream, head)
    if size is None:
        raise ValidationError({"file": _("The selected image is damaged: try another copy.")})
    width, height = size
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            {"file": _("The selected image is too large (%(width)s by %(height)s pixels): "
                       "send a smaller copy.") % {"width": width, "height": height}}
        )  # fmt: skip


def check_upload(
    stream: IO[bytes], name: str, size: int, *, accepted: Collection[str] = tuple(ALLOWED_TYPES)
) -> CheckedFile:
    """Refuse what a case should not hold, or what the field does not take (`accepted`, a
    subset of ALLOWED_TYPES' keys), with a message the uploader can act on."""
    name = safe_name(name)
    if size == 0:
        raise ValidationError({"file": _("The selected file is empty.")})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The selected file must be smaller than 10MB.")})
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    kind = _sniff(stream, head)
    if kind == "markup":
        raise ValidationError(
            {"file": _("The selected file must be a %s, not an SVG image or a web page.")
             % describe_types(accepted)}
        )  # fmt: skip
    if kind is None or kind not in accepted:
        raise ValidationError(
            {"file": _("The selected file must be a %s.") % describe_types(accepted)}
        )
    content_type, extensions = ALLOWED_TYPES[kind]
    if os.path.splitext(name)[1] not in extensions:
        raise ValidationError(
            {"file": _("The file's name says one type but it contains another: rename it.")}
        )
    if content_type.startswith("image/"):
        _check_image(kind, stream, head)
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())
