"""Lecture 10 demo: image kernels and their feature maps, with an editor for the numbers.

- :func:`kernel_editor_figure`: input image, kernel (numbers) and feature map
  ``conv2d(image, kernel)``; :func:`presets_figure`: every preset kernel over its map;
- :func:`kernel_editor_widget`: a 3×3 or 5×5 grid of number boxes with a preset menu; the
  feature map updates live. With ``upload=True`` an *Upload* button puts your own photo in
  place of the default one (:func:`nbhelpers.images.image_from_bytes`).

The kernels are :data:`nbhelpers.kernels.KERNELS`; the convolution is
:func:`nbhelpers.kernels.conv2d` (a cross-correlation, as in ``torch.nn.functional.conv2d``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.device import on_colab
from nbhelpers.display import WRONG, describe, slide_figure
from nbhelpers.images import MAX_UPLOAD_MB, UPLOAD_SUFFIXES, image_from_bytes
from nbhelpers.kernels import KERNELS, conv2d, get_kernel
from nbhelpers.plotting import plot_kernel
from nbhelpers.widgets import LiveDemo, listing, num, show
from nbhelpers.widgets.grids import as_image, clean_axes

__all__ = ["KernelEditor", "kernel_editor_figure", "kernel_editor_widget", "preset",
           "presets_figure", "uploaded_files"]


def preset(name: str, *, size: int = 3) -> torch.Tensor:
    """The named kernel of :data:`nbhelpers.kernels.KERNELS` as ``size×size`` (3 or 5).

    The blurs have genuine 5×5 versions (:func:`get_kernel`); a 3×3-only kernel is placed in
    the middle of a 5×5 grid of zeros, which computes the same thing on a larger window.
    """
    if size not in (3, 5):
        raise ValueError(f"size must be 3 or 5, got {size!r}")
    try:
        return get_kernel(name, size=size)
    except ValueError:
        if size == 3:
            raise
        return F.pad(get_kernel(name), (1, 1, 1, 1))


def _image_or_photo(image: torch.Tensor | None) -> torch.Tensor:
    if image is not None:
        return as_image(image)
    from nbhelpers.images import sample_photo

    return sample_photo(size=150)


def _show_map(ax: Axes, out: torch.Tensor, kernel: torch.Tensor, title: str | None) -> None:
    """Kernels that keep brightness (weights sum to 1) are shown on the image's 0..1 scale;
    detectors (weights sum to about 0) on a scale symmetric around 0 (grey = no response)."""
    total = kernel.sum().item()
    if abs(total - 1) < 1e-3:
        ax.imshow(out.numpy(), cmap="gray", vmin=0, vmax=1)
    else:
        m = out.abs().quantile(0.995).item() if out.numel() > 1 else out.abs().max().item()
        m = m or 1.0
        lo = -m if out.min() < 0 else 0.0
        ax.imshow(out.numpy(), cmap="gray", vmin=lo, vmax=m)
    clean_axes(ax)
    if title:
        ax.set_title(title)


def _kind(kernel: torch.Tensor) -> str:
    """What a kernel does to brightness, in words (as :func:`_show_map` shows it)."""
    total = kernel.sum().item()
    if abs(total - 1) < 1e-3:
        return "its weights sum to 1, so it keeps the brightness (the map looks like the photo)"
    if abs(total) < 1e-3:
        return ("its weights sum to 0, so it detects changes (grey: no response, light and "
                "dark: strong responses of either sign)")
    return f"its weights sum to {num(total)}"


def _kernel_rows(kernel: torch.Tensor) -> str:
    return "; ".join(" ".join(num(v, 2) for v in row) for row in kernel.tolist())


@slide_figure
def kernel_editor_figure(
    kernel: torch.Tensor, *, image: torch.Tensor | None = None, title: str | None = None
) -> Figure:
    """Input image H×W (default: the sample photo), the kernel k×k (numbers) and the feature
    map ``conv2d(image, kernel)``, (H−k+1)×(W−k+1)."""
    k = as_image(kernel, "kernel")
    img = _image_or_photo(image)
    out = conv2d(img, k)
    fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.6), width_ratios=[1, 0.9, 1])
    alt = (f"Left: the {img.shape[0]}×{img.shape[1]} grey input image. Middle: the "
           f"{title + ' ' if title else ''}kernel {k.shape[0]}×{k.shape[1]}, rows "
           f"{_kernel_rows(k)}; {_kind(k)}. Right: the {out.shape[0]}×{out.shape[1]} feature "
           "map, the kernel slid over the image.")
    describe(fig, alt)  # before plot_kernel, which draws into this figure
    axes[0].imshow(img.numpy(), cmap="gray", vmin=0, vmax=1)
    clean_axes(axes[0])
    axes[0].set_title(f"input {img.shape[0]}×{img.shape[1]}")
    plot_kernel(k, ax=axes[1], title=title or f"kernel {k.shape[0]}×{k.shape[1]}")
    _show_map(axes[2], out, k, f"feature map {out.shape[0]}×{out.shape[1]}")
    return describe(fig, alt)


@slide_figure
def presets_figure(
    *, image: torch.Tensor | None = None, size: int = 3, names: Sequence[str] | None = None
) -> Figure:
    """Every preset at once: its kernel (top row) over its feature map (bottom row)."""
    names = list(KERNELS) if names is None else list(names)
    img = _image_or_photo(image)
    fig, axes = plt.subplots(2, len(names), figsize=(min(11.0, 1.4 * len(names)), 3.7),
                             squeeze=False, height_ratios=[1, 1.35])
    kernels = {name: preset(name, size=size) for name in names}
    keep = [n.replace("_", " ") for n, k in kernels.items() if abs(k.sum().item() - 1) < 1e-3]
    detect = [n.replace("_", " ") for n, k in kernels.items() if abs(k.sum().item()) < 1e-3]
    alt = (f"Top row: {len(names)} preset {size}×{size} kernels as numbers "
           f"({listing(n.replace('_', ' ') for n in names)}); bottom row: the feature map each "
           f"gives on the {img.shape[0]}×{img.shape[1]} photo."
           + (f" {listing(keep)} keep the brightness (weights sum to 1): the map looks like the "
              "photo." if keep else "")
           + (f" {listing(detect)} detect changes (weights sum to 0): their maps are grey "
              "where nothing changes." if detect else ""))
    describe(fig, alt)  # before plot_kernel, which draws into this figure
    for col, name in enumerate(names):
        k = preset(name, size=size)
        plot_kernel(k, ax=axes[0, col], fmt=".2g" if size == 3 else ".1g")
        axes[0, col].set_title(name.replace("_", " "), fontsize=12)
        _show_map(axes[1, col], conv2d(img, k), k, None)
    return describe(fig, alt)


def uploaded_files(value: object) -> list[tuple[str, bytes]]:
    """``(name, content)`` of each file in a ``FileUpload``'s value, on ipywidgets 7 (a dict
    ``{name: {"metadata": ..., "content": bytes}}``) and 8 (a tuple of dicts with ``"name"``
    and ``"content"``, a memoryview)."""
    if isinstance(value, dict):
        return [(str(name), bytes(f["content"])) for name, f in value.items()]
    if isinstance(value, list | tuple):
        return [(str(f["name"]), bytes(f["content"])) for f in value]
    raise TypeError(f"not a FileUpload value: {type(value).__name__}")


class KernelEditor(LiveDemo):
    """The kernel editor: preset menu, size toggle, optional upload button, a grid of number
    boxes, the live output.

    ``kernel()`` returns the kernel in the boxes; ``draws`` counts redraws (for tests);
    ``message`` says what the upload did (or why it did nothing).

    Each number box has a visible label, ``r1c1`` (row 1, column 1) to ``r5c5``, which is also
    its accessible name (ipywidgets ties a text box's description to it with ``for``); the
    caption above the grid says what the labels mean. Tab moves from box to box, row by row.
    """

    CAPTION = ("kernel weights, row by row (r1c2 = row 1, column 2): type a number, "
               "Tab to the next box")

    def __init__(self, *, image: torch.Tensor, size: int, upload: bool = False) -> None:
        menu = w.Dropdown(options=[*KERNELS, "custom"], value="edge", description="preset")
        toggle = w.ToggleButtons(options=[3, 5], value=size, description="size",
                                 tooltips=["3×3 kernel", "5×5 kernel"])
        toggle.style.button_width = "50px"
        caption = w.HTML(value=self.CAPTION,
                         layout=w.Layout(max_width="300px", margin="0 0 0 12px"))
        grid = w.GridBox(layout=w.Layout(grid_gap="4px"))
        out = w.Output(layout=w.Layout(min_height="360px"))
        limit = ("about 1 MB on Colab, whose ipywidgets 7.7.1 drops larger uploads"
                 if on_colab() else f"{MAX_UPLOAD_MB} MB")
        self.message = w.HTML(value=f"your own photo: an image file under {limit}")
        self.upload = w.FileUpload(accept=UPLOAD_SUFFIXES, multiple=False,
                                   description="upload photo", layout=w.Layout(width="auto"))
        rows = [w.HBox([menu, toggle, self.upload]), self.message] if upload else \
            [w.HBox([menu, toggle])]
        super().__init__([*rows, w.HBox([grid, caption]), out])  # caption beside the grid
        self._control_names = ("preset", "size", "kernel", *(("upload",) if upload else ()))
        self.menu, self.size, self.grid, self.out = menu, toggle, grid, out
        self.image, self.boxes, self.draws = image, [], 0
        self._hold = False  # True while the editor itself sets values: no redraws
        menu.observe(self._chose, names="value")
        toggle.observe(self._resized, names="value")
        self.upload.observe(self._uploaded, names="value")
        self._resized(None)

    def _uploaded(self, change) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        name, content = files[-1]
        try:
            image = image_from_bytes(content, name=name, size=self.image.shape[0])
        except ValueError as error:  # says what to do; the editor keeps its image
            self.message.value = f'<span style="color:{WRONG}">{html.escape(str(error))}</span>'
            return
        self.image = image
        self.message.value = f"{html.escape(name)}: {image.shape[0]}×{image.shape[1]} grey"
        self._redraw()

    def kernel(self) -> torch.Tensor:
        k = math.isqrt(len(self.boxes))  # the boxes on screen (the size toggle may be ahead)
        return torch.tensor([b.value for b in self.boxes], dtype=torch.float32).view(k, k)

    def _redraw(self) -> None:
        self.draws += 1
        show(self.out, kernel_editor_figure(self.kernel(), image=self.image))

    def _load(self, values: torch.Tensor) -> None:
        self._hold = True
        for box, v in zip(self.boxes, values.flatten().tolist(), strict=True):
            box.value = round(v, 4)
        self._hold = False

    def _build(self, k: int) -> None:
        self.boxes = [w.BoundedFloatText(value=0.0, min=-99, max=99, step=0.1,
                                         description=f"r{i // k + 1}c{i % k + 1}",
                                         style={"description_width": "34px"},
                                         layout=w.Layout(width="112px")) for i in range(k * k)]
        for b in self.boxes:
            b.observe(self._edited, names="value")
        self.grid.children = self.boxes
        self.grid.layout.grid_template_columns = f"repeat({k}, 116px)"

    def _edited(self, _change) -> None:
        if self._hold:
            return
        self._hold = True
        self.menu.value = "custom"
        self._hold = False
        self._redraw()

    def _chose(self, _change) -> None:
        if self._hold or self.menu.value == "custom":
            return
        self._load(preset(self.menu.value, size=self.size.value))
        self._redraw()

    def _resized(self, _change) -> None:
        old = self.kernel() if self.boxes else None
        k = self.size.value
        self._build(k)
        if self.menu.value != "custom":
            self._load(preset(self.menu.value, size=k))
        elif old is not None:  # keep a custom kernel: crop 5->3 or pad 3->5
            self._load(old[1:-1, 1:-1] if old.shape[0] > k else F.pad(old, (1, 1, 1, 1)))
        self._redraw()


def kernel_editor_widget(*, image: torch.Tensor | None = None, size: int = 3,
                         upload: bool = False) -> KernelEditor:
    """Edit a 3×3 or 5×5 kernel (or pick a preset) and watch its feature map on ``image``
    (H×W; default: the sample photo, 150 px high). ``upload`` adds a button to use your own
    photo instead (resized to the same height). Ends a notebook cell to show it."""
    if size not in (3, 5):
        raise ValueError(f"size must be 3 or 5, got {size!r}")
    return KernelEditor(image=_image_or_photo(image), size=size, upload=upload)
