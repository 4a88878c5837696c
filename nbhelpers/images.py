"""Sample images for the convolution lectures: a real photograph and MNIST digits.

- :func:`sample_photo` is matplotlib's bundled portrait of Grace Hopper (it ships with every
  matplotlib installation, so it works offline and on Colab), as a grey ``H×W`` or colour
  ``3×H×W`` float tensor in [0, 1].
- :func:`image_from_bytes` reads an uploaded image file (PNG, JPEG, ...) as grey ``H×W``, or
  raises ``ValueError`` with a message to show the student (not an image, too large);
- :func:`to_grey` turns ``3×H×W`` RGB into ``H×W`` grey (ITU-R BT.601 luma weights).
- :func:`mnist_digit` is one MNIST test digit as ``28×28`` floats in [0, 1], picked by label.
"""

from __future__ import annotations

import io

import matplotlib.cbook as cbook
import matplotlib.image as mpimg
import torch
import torch.nn.functional as F

#: Weights of R, G, B in grey = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's "L").
LUMA = (0.299, 0.587, 0.114)

PHOTO = "grace_hopper.jpg"

#: The largest upload :func:`image_from_bytes` takes: megabytes (10⁶ bytes) of file,
#: megapixels of image, and the most one side may be longer than the other (times).
MAX_UPLOAD_MB, MAX_MEGAPIXELS, MAX_ASPECT = 5, 40, 8


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


def _resize(img: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """Resize ``C×H×W``; an int ``size`` is the new height (the aspect ratio is kept)."""
    h, w = img.shape[-2:]
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
    out = F.interpolate(img[None], size=new, mode="bilinear", antialias=True, align_corners=False)
    return out[0].clamp_(0, 1)


def sample_photo(*, size: int | tuple[int, int] | None = None, rgb: bool = False) -> torch.Tensor:
    """Matplotlib's sample photograph (Grace Hopper, 600×512 pixels) as float32 in [0, 1].

    Returns ``H×W`` grey, or ``3×H×W`` colour with ``rgb=True``. ``size`` resizes it
    (antialiased): an int is the new height with the aspect ratio kept, e.g. ``size=150``
    gives ``150×128``; a pair is ``(height, width)``.
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


def image_from_bytes(content: bytes, *, name: str = "the file", size: int = 150) -> torch.Tensor:
    """An image file's bytes (PNG, JPEG, ... anything Pillow reads) -> grey ``H×W`` float32 in
    [0, 1], turned upright as the camera's EXIF tag says and resized to ``size`` pixels high
    (aspect ratio kept); transparent parts become white. A file that is not an image, over
    :data:`MAX_UPLOAD_MB` MB (10⁶ bytes), over :data:`MAX_MEGAPIXELS` megapixels or more than
    :data:`MAX_ASPECT` times wider than tall (or taller than wide) raises ``ValueError`` saying
    so (``name`` names it)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(content, bytes | bytearray | memoryview):
        raise TypeError(f"content must be the file's bytes, got {type(content).__name__}")
    mb = len(content) / 1e6
    if mb > MAX_UPLOAD_MB:
        raise ValueError(f"{name} is {mb:.1f} MB: use an image file under {MAX_UPLOAD_MB} MB")
    try:
        with Image.open(io.BytesIO(bytes(content))) as im:
            w, h = im.size
            if w * h > MAX_MEGAPIXELS * 1e6:
                raise ValueError(f"{name} is {w}×{h} pixels: use an image under "
                                 f"{MAX_MEGAPIXELS} megapixels")
            if max(w, h) > MAX_ASPECT * min(w, h):
                raise ValueError(f"{name} is {w}×{h} pixels, too narrow a strip for the "
                                 f"filters: use an image at most {MAX_ASPECT} times wider "
                                 "than tall (or taller than wide)")
            im.draft("RGB", (2 * size, 2 * size))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
            upright = ImageOps.exif_transpose(im)
            if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
                white = Image.new("RGBA", upright.size, "white")
                upright = Image.alpha_composite(white, upright.convert("RGBA"))
            rgb = upright.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
        raise ValueError(f"{name} is not an image file that can be read ({type(error).__name__}"
                         "): use a PNG or JPEG") from None
    array = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8)
    img = array.view(rgb.height, rgb.width, 3).permute(2, 0, 1).float().div_(255)
    return to_grey(_resize(img, size))
