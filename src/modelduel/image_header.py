"""What an image is, from its first bytes: PNG, JPEG, WebP or GIF, and its pixel size.

Read from the magic bytes and the header, never from a file's extension or what a client
claims (the formats every provider accepts). Used by attachments, tool results and the
simulator alike; holds no limits (`attachment_limits`) and reads no file.

`image_damage` says whether an image that sniffs as one is whole enough to send: its
structure (a PNG's chunks with their CRCs and its zlib data, a JPEG's frame header and end
marker, a GIF's screen size and trailer, a WebP's RIFF length), stdlib only, without
decoding pixels.
"""

from __future__ import annotations

import struct
import zlib

__all__ = ["image_damage", "sniff_image"]


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


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INFLATE_STEP = 1 << 20
"""Bytes of inflated PNG data held at once while its zlib stream is checked."""


def image_damage(data: bytes, media_type: str) -> str | None:
    """Why an image (as `sniff_image` named it) cannot be sent, or None when it is whole.

    Returns:
        "cut short (...)" for a file that ends early, "damaged (...)" for bytes that
        contradict the format, or "W x H pixels" for an image without pixels.
    """
    if media_type == "image/png":
        return _png_damage(data)
    sniffed = sniff_image(data)
    width, height = (sniffed[1], sniffed[2]) if sniffed else (None, None)
    if width is None or height is None:
        return "cut short (its header ends before the image size)"
    if width == 0 or height == 0:
        return f"{width} x {height} pixels"
    if media_type == "image/jpeg" and b"\xff\xd9" not in data:
        return "cut short (no end-of-image marker)"
    if media_type == "image/gif" and not data.rstrip(b"\x00").endswith(b";"):
        return "cut short (no GIF trailer)"
    if media_type == "image/webp":
        (riff,) = struct.unpack("<I", data[4:8])
        if 8 + riff > len(data):
            return f"cut short ({len(data):,} of the {8 + riff:,} bytes its header gives)"
    return None


def _png_damage(data: bytes) -> str | None:
    i = len(_PNG_SIGNATURE)
    inflate = zlib.decompressobj()
    seen: list[bytes] = []
    while True:
        if i + 12 > len(data):
            return "cut short (it ends before its IEND chunk)"
        (length,) = struct.unpack(">I", data[i : i + 4])
        tag = data[i + 4 : i + 8]
        end = i + 8 + length
        if end + 4 > len(data):
            return f"cut short (its {tag.decode('latin-1')!r} chunk runs past the end)"
        body = data[i + 8 : end]
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(tag + body) != crc:
            return f"damaged (the CRC of its {tag.decode('latin-1')!r} chunk does not match)"
        if not seen and tag != b"IHDR":
            return "damaged (it does not start with an IHDR chunk)"
        seen.append(tag)
        if tag == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
            if width == 0 or height == 0:
                return f"{width} x {height} pixels"
        elif tag == b"IDAT":
            problem = _inflate(inflate, body)
            if problem:
                return problem
        elif tag == b"IEND":
            break
        i = end + 4
    if b"IDAT" not in seen:
        return "damaged (no IDAT chunk: it holds no pixels)"
    if not inflate.eof:
        return "cut short (its compressed pixel data ends early)"
    return None


def _inflate(inflate: zlib._Decompress, chunk: bytes) -> str:
    """Feed one IDAT chunk to the zlib stream, a bounded step at a time (the pixels are
    thrown away: only whether they decode matters)."""
    try:
        inflate.decompress(chunk, _INFLATE_STEP)
        while inflate.unconsumed_tail:
            inflate.decompress(inflate.unconsumed_tail, _INFLATE_STEP)
    except zlib.error as exc:
        return f"damaged (its compressed pixel data does not decode: {exc})"
    return ""
