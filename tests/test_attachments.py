"""Attachments: images by magic bytes (not extension), text by UTF-8, provider limits."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest

from modelduel import attachments as att
from modelduel.attachment_limits import PROVIDER_LIMITS, check_for_provider
from modelduel.attachments import MB, Attachment, AttachmentError, load_attachment
from modelduel.image_header import sniff_image


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00"))  # a whole zlib stream (not every pixel)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 4) + b"\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + dqt + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
    body = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


@pytest.mark.parametrize(
    ("data", "media_type", "size"),
    [
        (png(640, 480), "image/png", (640, 480)),
        (jpeg(1024, 768), "image/jpeg", (1024, 768)),
        (gif(32, 16), "image/gif", (32, 16)),
        (webp_vp8x(3000, 2000), "image/webp", (3000, 2000)),
        (webp_vp8l(100, 50), "image/webp", (100, 50)),
        (webp_vp8(320, 240), "image/webp", (320, 240)),
    ],
)
def test_images_are_recognised_by_magic_bytes_with_their_size(
    tmp_path: Path, data: bytes, media_type: str, size: tuple[int, int]
) -> None:
    assert sniff_image(data) == (media_type, *size)
    # the extension lies on purpose: the bytes decide
    path = tmp_path / "picture.txt"
    path.write_bytes(data)
    loaded = load_attachment(path)
    assert (loaded.kind, loaded.media_type, (loaded.width, loaded.height)) == (
        "image",
        media_type,
        size,
    )
    assert loaded.data == data and base64.b64decode(loaded.base64) == data
    assert loaded.data_url == f"data:{media_type};base64,{loaded.base64}"


def test_a_png_named_like_an_image_but_holding_text_is_refused(tmp_path: Path) -> None:
    # once sent as text; a name that promises an image and bytes that are none is a
    # corrupt or mislabelled file (tests/test_attach_corrupt.py)
    path = tmp_path / "notes.png"
    path.write_text("not an image at all\n", encoding="utf-8")
    with pytest.raises(AttachmentError, match=r"^notes\.png: not a PNG image"):
        load_attachment(path, name="notes.png")


def test_truncated_image_headers_are_still_images_without_a_size() -> None:
    assert sniff_image(b"\x89PNG\r\n\x1a\n") == ("image/png", None, None)
    assert sniff_image(b"\xff\xd8\xff\xe0\x00") == ("image/jpeg", None, None)
    assert sniff_image(b"GIF87a") == ("image/gif", None, None)


def test_text_attachments_go_into_the_prompt_with_their_name_fenced(tmp_path: Path) -> None:
    path = tmp_path / "log.md"
    path.write_bytes("\ufeffrun ```x```\nline 2".encode())  # a BOM, a fence inside
    loaded = load_attachment(path, name="ci/log.md")
    assert loaded.kind == "text" and loaded.text == "run ```x```\nline 2"
    assert loaded.prompt_block() == "Attached file: ci/log.md\n````\nrun ```x```\nline 2\n````"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("caf\xe9".encode("latin-1"), "not UTF-8 text (byte 3)"),
        (b"\x00\x01binary", "a binary file"),
    ],
)
def test_undecodable_files_are_refused_naming_the_file(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(content)
    with pytest.raises(AttachmentError) as info:
        load_attachment(path, name="data.bin")
    assert str(info.value).startswith("data.bin: ") and says in str(info.value)


def test_missing_folder_and_oversize_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AttachmentError, match=r"nope\.png: no such file"):
        load_attachment(tmp_path / "nope.png", name="nope.png")
    with pytest.raises(AttachmentError, match="not a file"):
        load_attachment(tmp_path)
    big = tmp_path / "big.txt"
    big.write_text("x" * 3000)
    monkeypatch.setattr(att, "MAX_TEXT_BYTES", 2000)
    with pytest.raises(AttachmentError, match="limit for a text attachment"):
        load_attachment(big)
    monkeypatch.setattr(att, "MAX_FILE_BYTES", 1000)
    with pytest.raises(AttachmentError, match="larger than any provider accepts"):
        load_attachment(big)


def image(name: str, size: int, side: int = 100) -> Attachment:
    return Attachment(name, "image", "image/png", b"\x00" * size, width=side, height=side)


def test_the_limits_table_has_one_row_per_protocol_with_its_source() -> None:
    assert set(PROVIDER_LIMITS) == {"anthropic", "openai", "openai_chat", "gemini"}
    assert PROVIDER_LIMITS["anthropic"].max_image_bytes == 5 * MB
    assert PROVIDER_LIMITS["anthropic"].max_pixels_per_side == 8000
    assert PROVIDER_LIMITS["openai"].max_request_bytes == 50 * MB
    assert PROVIDER_LIMITS["gemini"].max_request_bytes == 20 * MB
    assert all(limit.source for limit in PROVIDER_LIMITS.values())


def test_a_6_mb_image_is_too_large_for_anthropic_only() -> None:
    six = image("shot.png", 6 * MB)
    with pytest.raises(AttachmentError) as info:
        check_for_provider([six], "anthropic")
    assert str(info.value).startswith(
        "shot.png: image of 6.0 MB is over anthropic's 5 MB per image"
    )
    check_for_provider([six], "openai")
    check_for_provider([six], "gemini")
    check_for_provider([image("ok.png", 5 * MB)], "anthropic")  # at the limit is fine


def test_pixel_limits_and_request_totals() -> None:
    wide = Attachment("wide.png", "image", "image/png", b"x", width=8001, height=10)
    with pytest.raises(AttachmentError, match="8001x10 px is over anthropic's 8000x8000"):
        check_for_provider([wide], "anthropic")
    check_for_provider([wide], "openai")
    # 4 x 4 MB = 21.3 MB once base64-encoded: over Gemini's 20 MB inline request
    four = [image(f"p{i}.png", 4 * MB) for i in range(4)]
    with pytest.raises(AttachmentError, match="over gemini's 20 MB per request"):
        check_for_provider(four, "gemini")
    check_for_provider(four, "openai")
    # an unknown protocol gets the strictest row
    with pytest.raises(AttachmentError):
        check_for_provider([image("shot.png", 6 * MB)], "somebody_new")
