"""The kernel editor's upload button (lecture 10) on ipywidgets 7 and 8, and
nbhelpers.images.image_from_bytes behind it."""

from __future__ import annotations

import datetime
import io
import struct
import zlib

import matplotlib

matplotlib.use("Agg")

import ipywidgets as w  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from nbhelpers import images  # noqa: E402
from nbhelpers.widgets import kernel_editor as ke  # noqa: E402

IPYWIDGETS_MAJOR = int(w.__version__.split(".")[0])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _file(size=(400, 300), colour=(200, 10, 10), fmt="PNG", **save) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt, **save)
    return buf.getvalue()


def _upload(button: w.FileUpload, name: str, content: bytes) -> None:
    """What the browser's upload does to the widget's state, on this ipywidgets."""
    if IPYWIDGETS_MAJOR >= 8:
        button.value = ({"name": name, "type": "", "size": len(content),
                         "last_modified": datetime.datetime.now(datetime.timezone.utc),
                         "content": memoryview(content)},)
    else:
        button.metadata = [{"name": name, "type": "", "size": len(content), "lastModified": 0}]
        button.data = [content]
        button._counter += 1


def test_uploaded_files_reads_both_ipywidgets_formats():
    seven = {"a.png": {"metadata": {"name": "a.png"}, "content": b"123"}}
    eight = ({"name": "a.png", "content": memoryview(b"123")},)
    assert ke.uploaded_files(seven) == ke.uploaded_files(eight) == [("a.png", b"123")]
    assert ke.uploaded_files({}) == ke.uploaded_files(()) == []
    with pytest.raises(TypeError, match="FileUpload"):
        ke.uploaded_files("a.png")


def test_editor_without_upload_has_no_button():
    editor = ke.kernel_editor_widget()
    assert "upload" not in repr(editor)
    assert editor.upload not in editor.children[0].children


def test_the_file_picker_offers_only_the_formats_that_are_read():
    editor = ke.kernel_editor_widget(upload=True)
    suffixes = editor.upload.accept.split(",")
    assert suffixes == [".png", ".jpg", ".jpeg", ".gif", ".webp"]
    formats = {Image.registered_extensions()[s] for s in suffixes}
    assert formats == set(images.UPLOAD_FORMATS)


def test_an_uploaded_photo_replaces_the_image_and_redraws():
    editor = ke.kernel_editor_widget(upload=True)
    assert "upload" in repr(editor) and "under 5 MB" in editor.message.value
    draws = editor.draws
    _upload(editor.upload, "red.png", _file())
    assert editor.draws == draws + 1
    assert editor.image.shape == (150, 200)                       # height kept, 4:3
    grey = 0.299 * 200 / 255 + 0.587 * 10 / 255 + 0.114 * 10 / 255
    assert torch.allclose(editor.image, torch.full((150, 200), grey), atol=1 / 255)
    assert editor.message.value == "red.png: 150×200 grey"
    editor.menu.value = "box_blur"                                # the editor still works
    assert editor.draws == draws + 2


@pytest.mark.parametrize(("name", "content", "says"), [
    ("notes.txt", b"hello, not an image", "not an image file"),
    ("cut.png", _file()[:60], "not an image file"),
    ("huge.png", b"\x89PNG" + bytes(6 * 10**6), "6.0 MB: use an image file under 5 MB"),
    ("strip.png", _file((3, 400)), "3×400 pixels, too narrow a strip"),
    ("wide.png", _file((2000, 100)), "at most 8 times wider than tall"),
])
def test_a_bad_upload_says_why_and_keeps_the_editor_working(name, content, says):
    editor = ke.kernel_editor_widget(upload=True)
    before, draws = editor.image.clone(), editor.draws
    _upload(editor.upload, name, content)
    assert says in editor.message.value and name in editor.message.value
    assert torch.equal(editor.image, before) and editor.draws == draws
    _upload(editor.upload, "good.png", _file())                   # the next one works
    assert editor.image.shape == (150, 200) and editor.draws == draws + 1


def test_image_from_bytes_turns_phone_photos_upright_and_resizes():
    im = Image.new("RGB", (400, 300), (0, 0, 0))
    im.paste((255, 255, 255), (0, 0, 200, 300))                    # left half white
    exif = Image.Exif()
    exif[0x0112] = 6                                               # "rotate 90° clockwise"
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif, quality=95)
    img = images.image_from_bytes(buf.getvalue(), size=100)
    assert img.shape == (100, 75)                                  # 300 wide, 400 high
    assert img.dtype == torch.float32 and 0 <= img.min() and img.max() <= 1
    # turned clockwise, the white left half becomes the top half
    assert img[:45].mean() > 0.95 and img[55:].mean() < 0.05


def test_a_transparent_png_is_white_where_transparent():
    im = Image.new("RGBA", (200, 150), (0, 0, 0, 0))               # transparent black
    im.paste((0, 0, 0, 255), (0, 0, 100, 150))                     # left half opaque black
    buf = io.BytesIO()
    im.save(buf, "PNG")
    img = images.image_from_bytes(buf.getvalue(), size=150)
    assert img[:, :95].max() < 0.01 and img[:, 105:].min() > 0.99


def test_a_large_jpeg_decoded_at_reduced_scale_matches_full_decoding():
    im = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95)
    img = images.image_from_bytes(buf.getvalue(), size=150)        # decoded at 1/4 scale
    assert img.shape == (150, 225)
    pixels = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).view(2000, 3000, 3)
    full = images.to_grey(images._resize(pixels.permute(2, 0, 1).float() / 255, 150))
    assert (img - full).abs().max() < 0.03


def test_the_file_name_is_shown_as_text():
    editor = ke.kernel_editor_widget(upload=True)
    _upload(editor.upload, "a<b>.png", _file())
    assert editor.message.value == "a&lt;b&gt;.png: 150×200 grey"
    _upload(editor.upload, "<i>.txt", b"not an image")
    assert "&lt;i&gt;.txt is not an image file" in editor.message.value


def test_on_colab_the_message_gives_colabs_upload_limit(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "google.colab", object())
    editor = ke.kernel_editor_widget(upload=True)
    assert "under about 1 MB on Colab" in editor.message.value


def test_image_from_bytes_refuses_too_many_pixels(monkeypatch):
    monkeypatch.setattr(images, "MAX_MEGAPIXELS", 0.1)
    with pytest.raises(ValueError, match="400×300 pixels: use an image under 0.1 megapixels"):
        images.image_from_bytes(_file(), name="big.png")
    with pytest.raises(TypeError, match="bytes"):
        images.image_from_bytes("big.png")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_with_a_broken_chunk() -> bytes:
    """A PNG whose pixels are fine but whose zTXt chunk, after them, names an unknown
    compression method: Pillow opens it and raises SyntaxError only while decoding."""
    good = _file()
    end = good.rindex(b"IEND") - 4
    return good[:end] + _chunk(b"zTXt", b"comment\x00\x01not zlib") + good[end:]


def _png_header(width: int, height: int) -> bytes:
    """A 1-bit PNG of width×height without its pixels: all Pillow reads to learn its size."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b""))
            + _chunk(b"IEND", b""))


@pytest.mark.parametrize(("content", "says"), [
    (_png_with_a_broken_chunk(), "not an image file that can be read (SyntaxError)"),
    (_png_header(20_000, 10_000), "has over 179 megapixels: use an image under 40 megapixels"),
    (_png_header(10_000, 9_000), "10000×9000 pixels: use an image under 40 megapixels"),
], ids=["broken-chunk", "179-megapixels", "90-megapixels"])
def test_every_pillow_error_becomes_one_message(content, says):
    with pytest.raises(ValueError) as error:
        images.image_from_bytes(content, name="bad.png")
    assert str(error.value).startswith("bad.png ") and says in str(error.value)


@pytest.mark.parametrize("fmt", ["EPS", "BMP", "TIFF", "PPM"])
def test_only_png_jpeg_gif_and_webp_are_opened(fmt, monkeypatch):
    from PIL import EpsImagePlugin

    started = []                                 # EPS is drawn by Ghostscript, where installed
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: started.append(a))
    with pytest.raises(ValueError, match="not an image file .*use a PNG, JPEG, GIF or WebP"):
        images.image_from_bytes(_file(fmt=fmt), name=f"photo.{fmt.lower()}")
    assert started == []


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_png_jpeg_gif_and_webp_are_read(fmt):
    img = images.image_from_bytes(_file(colour=(128, 128, 128), fmt=fmt), size=60)
    assert img.shape == (60, 80) and (img - 128 / 255).abs().max() < 0.02


@pytest.mark.parametrize(("mode", "level"), [
    ("1", 1), ("L", 64), ("LA", (64, 255)), ("P", 64), ("RGB", (64,) * 3),
    ("RGBA", (64, 64, 64, 255)), ("I;16", 64 * 257),  # 16 bits: 64 * 257 / 65535 = 64 / 255
])
@pytest.mark.parametrize("width", [200, 2400])   # 2400×1800 is shrunk 6 times before decoding
def test_every_png_mode_keeps_its_grey_levels(mode, level, width):
    im = Image.new(mode, (width, width * 3 // 4), {"LA": (0, 255), "RGBA": (0, 0, 0, 255)}
                   .get(mode, 0))                                   # opaque black
    if mode == "P":
        im.putpalette([v for i in range(256) for v in (i, i, i)])   # a grey palette
    im.paste(level, (width // 2, 0, width, width * 3 // 4))        # right half grey (white)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    img = images.image_from_bytes(buf.getvalue(), size=150)
    grey = 1.0 if mode == "1" else 64 / 255
    assert img.shape == (150, 200)
    assert img[:, :95].abs().max() < 1e-6 and (img[:, 105:] - grey).abs().max() < 1e-5


def test_a_transparent_png_shrunk_while_decoding_is_white_where_transparent():
    im = Image.new("RGBA", (2400, 1800), (0, 0, 0, 0))             # transparent black
    im.paste((0, 0, 0, 255), (0, 0, 1200, 1800))                   # left half opaque black
    im.paste((0, 0, 0, 128), (0, 0, 1200, 1))                      # a half-transparent row
    buf = io.BytesIO()
    im.save(buf, "PNG")
    img = images.image_from_bytes(buf.getvalue(), size=150)
    assert img[1:, :95].max() < 0.01 and img[:, 105:].min() > 0.99


MEMORY_PROBE = """
import resource, sys
from nbhelpers import images
content = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
img = images.image_from_bytes(content, size=150)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(tuple(img.shape), grown // 1024)
"""


def test_a_large_png_is_shrunk_before_it_is_converted(tmp_path):
    import subprocess
    import sys

    im = Image.new("L", (7000, 5700), 255)                          # 39.9 megapixels
    im.paste(0, (1000, 1000, 3000, 5000))
    im.save(tmp_path / "big.png")
    assert (tmp_path / "big.png").stat().st_size < 100_000         # a small file
    run = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(tmp_path / "big.png")],
                         capture_output=True, text=True, check=True, timeout=120)
    shape, mib = run.stdout.split(")")
    assert shape == "(150, 184" and int(mib) < 150, run.stdout     # was 780 MiB more


def test_image_from_bytes_refuses_a_size_that_would_exhaust_memory():
    with pytest.raises(ValueError, match="at most 4096 pixels a side"):
        images.image_from_bytes(_png_with_a_broken_chunk(), size=20_000)
    with pytest.raises(TypeError, match="int height"):
        images.image_from_bytes(_file(), size=150.0)
