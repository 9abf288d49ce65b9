"""What an image is, from its first bytes: PNG, JPEG, WebP or GIF, and its pixel size.

Read from the magic bytes and the header, never from a file's extension or what a client
claims (the formats every provider accepts). Used by attachments, tool results and the
simulator alike; holds no limits (`attachment_limits`) and reads no file.
"""

from __future__ import annotations

import struct

__all__ = ["sniff_image"]


def sniff_image(data: bytes) -> tuple[str, int | None, int | None] | None:
    """The media type and pixel size of an image, from its magic bytes; None if not one.

    Args:
        data: the file's bytes (the first few KB are enough for every format but JPEG).

    Returns:
        (media type, width, height), the sizes None when the header is cut short.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            w, h = struct.unpack(">II", data[16:24])
            return "image/png", w, h
        return "image/png", None, None
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) >= 10:
            w, h = struct.unpack("<HH", data[6:10])
            return "image/gif", w, h
        return "image/gif", None, None
    if data.startswith(b"\xff\xd8\xff"):
        return ("image/jpeg", *_jpeg_size(data))
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("image/webp", *_webp_size(data))
    return None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    # Walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT/JPG/DAC).
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None, None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                return None, None
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        w = 1 + int.from_bytes(data[24:27], "little")
        h = 1 + int.from_bytes(data[27:30], "little")
        return w, h
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None, None
