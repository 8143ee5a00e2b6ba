"""Image files as small as they can be, declaring whatever size a test needs: the headers that
`civicdesk.cases.uploads` reads the dimensions from, and no picture data."""

import struct

JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def jpeg(width: int, height: int) -> bytes:
    """A JPEG's header as far as its frame: the segments a decoder reads its size from."""
    frame = b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    return JPEG_HEADER + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


def png(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
        + struct.pack(">II", width, height)
        + (b"\x08\x02\x00\x00\x00")
    )
