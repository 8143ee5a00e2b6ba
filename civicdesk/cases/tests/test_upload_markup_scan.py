"""A text file is searched for SVG or HTML markup from start to end, not only in its first
8KB: a page hidden after harmless lines still runs its script once a browser renders it."""

import io

import pytest
from django.core.exceptions import ValidationError

from civicdesk.cases import uploads

CHUNK = uploads.SCAN_CHUNK_BYTES
ROW = b"2026-03-02,Elm Road,3 < 5 bags,collected\n"  # a less-than sign is not a tag


def rows(size: int) -> bytes:
    """Plain CSV rows filling exactly `size` bytes."""
    return (ROW * (size // len(ROW) + 1))[:size]


def is_refused(content: bytes, name: str = "log.csv") -> bool:
    try:
        uploads.check_upload(io.BytesIO(content), name, len(content))
    except ValidationError as error:
        assert error.message_dict["file"][0].endswith("not an SVG image or a web page.")
        return True
    return False


def test_markup_100kb_in_is_refused():
    assert is_refused(rows(100 * 1024) + b"<script>alert(1)</script>\n")
    assert is_refused(rows(100 * 1024) + b'<SVG onload="alert(1)"/>\n', "notes.txt")


@pytest.mark.parametrize("tag", uploads.MARKUP_TAGS)
def test_a_tag_split_across_two_chunks_is_refused(tag: bytes):
    """Every way the tag can sit across the boundary, from just after it to just before it."""
    for before in range(len(tag) + 1):
        content = rows(CHUNK - before) + tag.upper() + b" x>\n"
        assert is_refused(content), (tag, before)


def test_a_large_plain_csv_is_accepted():
    content = rows(uploads.MAX_ATTACHMENT_BYTES)
    checked = uploads.check_upload(io.BytesIO(content), "collections.csv", len(content))
    assert checked.content_type == "text/plain" and checked.size == len(content)
