"""Sample images for the convolution lectures: a real photograph and MNIST digits.

- :func:`sample_photo` is matplotlib's bundled portrait of Grace Hopper (it ships with every
  matplotlib installation, so it works offline and on Colab), as a grey ``H×W`` or colour
  ``3×H×W`` float tensor in [0, 1].
- :func:`image_from_bytes` reads an uploaded image file (PNG, JPEG, GIF or WebP) as grey
  ``H×W``, or raises ``ValueError`` with a message to show the student (not such an image,
  too large);
- :func:`to_grey` turns ``3×H×W`` RGB into ``H×W`` grey (ITU-R BT.601 luma weights).
- :func:`as_pixels` checks that a tensor holds pixels in [0, 1] (not 0…255, not normalised).
- :func:`mnist_digit` is one MNIST test digit as ``28×28`` floats in [0, 1], picked by label.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import matplotlib.cbook as cbook
import matplotlib.image as mpimg
import numpy as np
import torch
import torch.nn.functional as F

#: Weights of R, G, B in grey = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's "L").
LUMA = (0.299, 0.587, 0.114)

PHOTO = "grace_hopper.jpg"

#: The largest upload :func:`image_from_bytes` takes: megabytes (10⁶ bytes) of file,
#: megapixels of image, and the most one side may be longer than the other (times).
MAX_UPLOAD_MB, MAX_MEGAPIXELS, MAX_ASPECT = 5, 40, 8

#: The only file formats :func:`image_from_bytes` opens (Pillow's names): no EPS, which
#: would start Ghostscript, and no formats a browser would not show either.
UPLOAD_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
#: The same formats as the file picker's ``accept`` filter (by file name suffix).
UPLOAD_SUFFIXES = ".png,.jpg,.jpeg,.gif,.webp"

#: The longest side, in pixels, that :func:`sample_photo` and :func:`image_from_bytes` resize
#: to (4096×4096 grey floats are 64 MiB; the photo itself is 600×512).
MAX_SIDE = 4096


def as_pixels(x: Any, *, name: str = "images") -> torch.Tensor:
    """``x`` as a float32 CPU tensor (same shape), after checking that it holds pixels in
    [0, 1], as ``ToTensor`` gives them: not 0…255 (``TypeError`` for an integer tensor,
    ``ValueError`` for floats above 1) and not already normalised (``ValueError`` for values
    below 0); ``name`` names ``x`` in the message."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of pixels in [0, 1], "
                        f"got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"{name} must be float pixels in [0, 1], got {x.dtype}: "
                        f"for pixels 0…255 pass {name}.float() / 255")
    out = x.detach().cpu().float()
    if out.numel():
        lo, hi = (v.item() for v in torch.aminmax(out))
        if not 0 <= lo <= hi <= 1:
            fix = ("they look normalised already: pass the pixels from before normalising "
                   "(x * std + mean)" if lo < 0 else
                   "for pixels 0…255 divide by 255" if hi > 1 else "they include NaN")
            raise ValueError(f"{name} must be pixels in [0, 1], got values from {lo:.4g} to "
                             f"{hi:.4g}: {fix}")
    return out


def to_grey(rgb: torch.Tensor) -> torch.Tensor:
    """``3×H×W`` (or ``N×3×H×W``) RGB in [0, 1] -> ``H×W`` (``N×H×W``) grey in [0, 1]."""
    if not isinstance(rgb, torch.Tensor):
        raise TypeError(f"to_grey needs a torch.Tensor, got {type(rgb).__name__}")
    if rgb.dim() not in (3, 4) or rgb.shape[-3] != 3:
        raise ValueError(
            f"to_grey needs RGB shaped 3×H×W or N×3×H×W, got {tuple(rgb.shape)}; "
            "for an H×W×3 array use .permute(2, 0, 1) first"
        )
    if not rgb.dtype.is_floating_point:
        raise TypeError(f"to_grey needs floats in [0, 1], got {rgb.dtype}; use .float() / 255")
    w = torch.tensor(LUMA, dtype=rgb.dtype, device=rgb.device).view(3, 1, 1)
    return (rgb * w).sum(dim=-3)


def _new_size(h: int, w: int, size: int | tuple[int, int]) -> tuple[int, int]:
    """``(height, width)`` that an ``H×W`` image resized to ``size`` gets: an int ``size`` is
    the new height (the aspect ratio is kept); both at most :data:`MAX_SIDE`."""
    if isinstance(size, bool) or not isinstance(size, (int, tuple, list)):
        raise TypeError(f"size must be an int (height) or a (height, width) pair, got {size!r}")
    if isinstance(size, int):
        new = (size, max(1, round(w * size / h)))
    else:
        if len(size) != 2:
            raise ValueError(f"size must be (height, width), got {size!r}")
        new = (int(size[0]), int(size[1]))
    if min(new) < 1:
        raise ValueError(f"size must be positive, got {size!r}")
    if max(new) > MAX_SIDE:
        raise ValueError(f"size={size!r} asks for a {new[0]}×{new[1]} image "
                         f"({new[0] * new[1] * 4 / 2**30:.1f} GiB per channel): use at most "
                         f"{MAX_SIDE} pixels a side")
    return new


def _resize(img: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """Resize ``C×H×W`` (antialiased) to :func:`_new_size`."""
    new = _new_size(*img.shape[-2:], size)
    out = F.interpolate(img[None], size=new, mode="bilinear", antialias=True, align_corners=False)
    return out[0].clamp_(0, 1)


def sample_photo(*, size: int | tuple[int, int] | None = None, rgb: bool = False) -> torch.Tensor:
    """Matplotlib's sample photograph (Grace Hopper, 600×512 pixels) as float32 in [0, 1].

    Returns ``H×W`` grey, or ``3×H×W`` colour with ``rgb=True``. ``size`` resizes it
    (antialiased): an int is the new height with the aspect ratio kept, e.g. ``size=150``
    gives ``150×128``; a pair is ``(height, width)``; a size with a side over
    :data:`MAX_SIDE` raises ``ValueError`` before resizing.
    """
    path = cbook.get_sample_data(PHOTO, asfileobj=False)
    array = mpimg.imread(path)  # H×W×3 uint8
    img = torch.from_numpy(array.copy()).permute(2, 0, 1).float().div_(255)
    if size is not None:
        img = _resize(img, size)
    return img if rgb else to_grey(img)


def mnist_digit(
    label: int | None = None, *, index: int = 0, train: bool = False, name: str = "mnist"
) -> torch.Tensor:
    """One digit (or FashionMNIST item) as a ``28×28`` float32 tensor in [0, 1].

    With ``label`` it is the ``index``-th image of that class in the split, otherwise the
    ``index``-th image of the split. Uses :func:`nbhelpers.data.load_dataset` (the course's
    data root; downloads once if needed).
    """
    from nbhelpers.data import load_dataset

    ds = load_dataset(name, train=train)
    images, labels = ds.data, ds.targets
    if label is not None:
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
            raise ValueError(f"label must be an int from 0 to 9, got {label!r}")
        images = images[labels == label]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(images):
        raise ValueError(f"index must be an int in [0, {len(images)}), got {index!r}")
    return images[index].float().div(255)


def _unreadable(name: str, error: Exception) -> ValueError:
    return ValueError(f"{name} is not an image file that can be read ({type(error).__name__}): "
                      "use a PNG, JPEG, GIF or WebP image")


def _pixels(im: Any, *, shorter: int) -> torch.Tensor:
    """An opened Pillow image -> ``C×H×W`` float32 in [0, 1] (C = 1 for grey, 3 for colour),
    transparent parts white, upright as its EXIF tag says. It is decoded at a reduced scale
    where the format allows (JPEG) and shrunk by a whole factor (box average) before any
    conversion to floats, keeping its shorter side at least ``shorter`` pixels."""
    from PIL import ImageOps

    im.draft("RGB", (shorter, shorter))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
    if im.mode == "I;16":  # a 16-bit grey PNG: 0…65535
        mode, top = "I", 65535
    else:
        grey = im.mode in ("1", "L", "LA", "P", "PA")  # a palette: to grey, 1 byte a pixel
        mode, top = ("L" if grey else "RGB") + ("A" if im.has_transparency_data else ""), 255
    if im.mode != mode:  # Pillow cannot reduce "1", "P" or "I;16"; "transparency" -> alpha
        im = im.convert(mode)
    factor = min(im.size) // shorter
    if factor > 1:
        im = im.reduce(factor)  # LA, RGBA: averaged with premultiplied alpha
    im = ImageOps.exif_transpose(im)
    x = torch.from_numpy(np.asarray(im, dtype=np.float32) / top)
    x = x[..., None] if x.ndim == 2 else x
    if mode.endswith("A"):  # on white: colour * alpha + (1 - alpha)
        x = x[..., :-1] * x[..., -1:] + (1 - x[..., -1:])
    return x.permute(2, 0, 1)


def image_from_bytes(content: bytes, *, name: str = "the file", size: int = 150) -> torch.Tensor:
    """An image file's bytes (PNG, JPEG, GIF or WebP: :data:`UPLOAD_FORMATS`) -> grey ``H×W``
    float32 in [0, 1], turned upright as the camera's EXIF tag says and resized to ``size``
    pixels high (aspect ratio kept); transparent parts become white, 16-bit PNGs keep their
    grey levels. A large image is shrunk while it is decoded, before any conversion. A file
    that is not such an image or is damaged, over :data:`MAX_UPLOAD_MB` MB (10⁶ bytes), over
    :data:`MAX_MEGAPIXELS` megapixels or more than :data:`MAX_ASPECT` times wider than tall
    (or taller than wide) raises ``ValueError`` saying so (``name`` names it)."""
    from PIL import Image

    if not isinstance(content, bytes | bytearray | memoryview):
        raise TypeError(f"content must be the file's bytes, got {type(content).__name__}")
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"size must be an int height in pixels, got {size!r}")
    _new_size(size, size, size)  # refuses a size over MAX_SIDE before anything is decoded
    mb = len(content) / 1e6
    if mb > MAX_UPLOAD_MB:
        raise ValueError(f"{name} is {mb:.1f} MB: use an image file under {MAX_UPLOAD_MB} MB")
    too_many = f"use an image under {MAX_MEGAPIXELS} megapixels"
    try:
        with warnings.catch_warnings():  # Pillow warns above 89 megapixels; we refuse at 40
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(bytes(content)), formats=UPLOAD_FORMATS)
    except Image.DecompressionBombError:  # over 179 megapixels
        raise ValueError(f"{name} has over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels: "
                         f"{too_many}") from None
    except Exception as error:  # Pillow raises many kinds (OSError, SyntaxError, ...)
        raise _unreadable(name, error) from None
    with im:
        w, h = im.size
        if w * h > MAX_MEGAPIXELS * 1e6:
            raise ValueError(f"{name} is {w}×{h} pixels: {too_many}")
        if max(w, h) > MAX_ASPECT * min(w, h):
            raise ValueError(f"{name} is {w}×{h} pixels, too narrow a strip for the "
                             f"filters: use an image at most {MAX_ASPECT} times wider "
                             "than tall (or taller than wide)")
        try:
            img = _pixels(im, shorter=2 * size)
        except Exception as error:  # a damaged file fails only while it is decoded
            raise _unreadable(name, error) from None
    grey = _resize(img, size)
    return to_grey(grey) if len(grey) == 3 else grey[0]
