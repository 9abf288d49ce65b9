"""A corrupt or mislabelled image attachment is refused locally, before anything is sent.

`printf 'notapng' > x.png` used to reach the models as a text attachment; a PNG whose
bytes are cut short or damaged would reach them as an image they cannot decode. Both are
one line naming the file and the fix, from `load_attachment` (used by `--attach`, task
attachments and the duel screen's `ctrl+a` alike).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from modelduel.attachments import AttachmentError, load_attachment
from tests.test_attach_cli import modelduel
from tests.test_attachments import gif, jpeg, webp_vp8x
from tests.test_tool_loop_sim import png


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def refusal(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(AttachmentError) as caught:
        load_attachment(path, name=name)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def test_text_named_png_is_refused_with_the_fix(tmp_path: Path) -> None:
    message = refusal(tmp_path, "x.png", b"notapng")
    assert "not a PNG" in message and "re-export" in message


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("cut.png", png(4, 4)[:40], "cut short"),  # the file ends inside a chunk
        ("head.png", b"\x89PNG\r\n\x1a\n", "cut short"),  # the signature alone
        ("crc.png", png(4, 4)[:-5] + b"X" + png(4, 4)[-4:], "damaged"),  # IEND's CRC
        (
            "zlib.png",
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", b"not zlib at all")
            + _chunk(b"IEND", b""),
            "damaged",
        ),
        ("zero.png", png(0, 4), "0 x 4"),
        ("cut.jpg", jpeg(64, 48)[:20], "cut short"),
        ("cut.gif", gif(8, 8)[:8], "cut short"),
        ("cut.webp", webp_vp8x(30, 20)[:-4], "cut short"),
    ],
)
def test_a_damaged_image_is_refused(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    message = refusal(tmp_path, name, data)
    assert why in message and "re-export" in message, message


def test_whole_images_and_text_still_load(tmp_path: Path) -> None:
    for name, data, media in (
        ("a.png", png(4, 4), "image/png"),
        ("b.jpg", jpeg(64, 48), "image/jpeg"),
        ("c.gif", gif(8, 8), "image/gif"),
        ("d.webp", webp_vp8x(30, 20), "image/webp"),
        ("e.png", jpeg(64, 48), "image/jpeg"),  # a JPEG named .png: the bytes decide
        ("f.png", png(4, 4) + b"\x00" * 100, "image/png"),  # padding after IEND
    ):
        (tmp_path / name).write_bytes(data)
        assert load_attachment(tmp_path / name).media_type == media, name
    (tmp_path / "notes.md").write_text("notapng\n", encoding="utf-8")
    assert load_attachment(tmp_path / "notes.md").kind == "text"


def test_ask_refuses_it_before_any_model_runs(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"notapng")
    done = modelduel("ask", "--demo", "hi", "--csv", "a.csv", "--attach", "x.png", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("modelduel: --attach x.png: ") and "not a PNG" in line
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "a.jsonl").exists()
