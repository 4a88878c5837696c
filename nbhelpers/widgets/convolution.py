"""Convolution demos for lecture 06: a kernel editor, the sliding window step by step, and an
output-size calculator.

Each demo is a pure figure function (the notebook's static fallback) plus a widget:

- :func:`kernel_editor_figure` / :func:`presets_figure` and :func:`kernel_editor_widget`
  (a 3×3 or 5×5 grid of number boxes with presets; the feature map updates live);
- :func:`sliding_window_figure` / :func:`sliding_window_steps_figure` and
  :func:`sliding_window_widget` (the window, its element-wise products, their sum and the
  output cell it fills; a slider with a play button);
- :func:`output_size_figure` / :func:`output_size_text` and :func:`output_size_widget`
  (N, F, P, S, D -> ⌊(N + 2P − D(F−1) − 1)/S⌋ + 1, the window positions along one axis, and
  the size torch produces).

All convolutions are cross-correlations, as in ``torch.nn.functional.conv2d``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ipywidgets as w
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nbhelpers.kernels import KERNELS, conv2d, conv_output_size, get_kernel
from nbhelpers.plotting import PALETTE, SLIDE_RC, plot_kernel
from nbhelpers.widgets import LiveDemo, live, show

__all__ = [
    "EXAMPLE_INPUT", "EXAMPLE_KERNEL", "KernelEditor", "apply_kernel", "kernel_editor_figure",
    "kernel_editor_widget", "output_size_figure", "output_size_text", "output_size_widget",
    "preset", "presets_figure", "sliding_window_figure", "sliding_window_steps_figure",
    "sliding_window_widget", "window_positions",
]

#: A small input for the step-by-step demo (5×5 integers, so the sums can be done by hand).
EXAMPLE_INPUT = torch.tensor(
    [[1, 2, 2, 1, 3],
     [1, 1, 3, 2, 1],
     [2, 0, 1, 0, 2],
     [1, 3, 2, 1, 0],
     [0, 1, 1, 2, 1]], dtype=torch.float32)

#: A 3×3 kernel for it: positive where brightness grows to the right (a vertical-edge detector).
EXAMPLE_KERNEL = torch.tensor([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=torch.float32)

WINDOW, OUTPUT, UNUSED = PALETTE[0], PALETTE[1], "#BBBBBB"


# ----------------------------------------------------------------------------- presets


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


def _as_image(x: torch.Tensor, name: str = "image") -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor H×W, got {type(x).__name__}")
    x = x.detach().cpu().float()
    while x.dim() > 2 and x.shape[0] == 1:
        x = x[0]
    if x.dim() != 2:
        raise ValueError(f"{name} must be one grey image H×W, got shape {tuple(x.shape)}")
    return x


def _default_image() -> torch.Tensor:
    from nbhelpers.images import sample_photo

    return sample_photo(size=150)


def apply_kernel(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """``conv2d(image, kernel)`` without padding: H×W and k×k -> (H−k+1)×(W−k+1)."""
    image, kernel = _as_image(image), _as_image(kernel, "kernel")
    return conv2d(image, kernel)


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
    _clean(ax)
    if title:
        ax.set_title(title)


def _clean(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def kernel_editor_figure(
    kernel: torch.Tensor, *, image: torch.Tensor | None = None, title: str | None = None
) -> Figure:
    """Input image, the kernel (numbers) and the feature map ``conv2d(image, kernel)``."""
    k = _as_image(kernel, "kernel")
    img = _default_image() if image is None else _as_image(image)
    out = conv2d(img, k)
    with mpl.rc_context(SLIDE_RC):
        fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.6), width_ratios=[1, 0.9, 1])
        axes[0].imshow(img.numpy(), cmap="gray", vmin=0, vmax=1)
        _clean(axes[0])
        axes[0].set_title(f"input {img.shape[0]}×{img.shape[1]}")
        plot_kernel(k, ax=axes[1], title=title or f"kernel {k.shape[0]}×{k.shape[1]}")
        _show_map(axes[2], out, k, f"feature map {out.shape[0]}×{out.shape[1]}")
    return fig


def presets_figure(
    *, image: torch.Tensor | None = None, size: int = 3, names: Sequence[str] | None = None
) -> Figure:
    """Every preset at once: its kernel (top row) over its feature map (bottom row)."""
    names = list(KERNELS) if names is None else list(names)
    img = _default_image() if image is None else _as_image(image)
    with mpl.rc_context(SLIDE_RC):
        fig, axes = plt.subplots(2, len(names), figsize=(min(11.0, 1.4 * len(names)), 3.7),
                                 squeeze=False, height_ratios=[1, 1.35])
        for col, name in enumerate(names):
            k = preset(name, size=size)
            plot_kernel(k, ax=axes[0, col], fmt=".2g" if size == 3 else ".1g")
            axes[0, col].set_title(name.replace("_", " "), fontsize=12)
            _show_map(axes[1, col], conv2d(img, k), k, None)
    return fig


class KernelEditor(LiveDemo):
    """The kernel editor: preset menu, size toggle, a grid of number boxes, the live output.

    ``kernel()`` returns the kernel in the boxes; ``draws`` counts redraws (for tests)."""

    def kernel(self) -> torch.Tensor:
        k = math.isqrt(len(self.boxes))  # the boxes on screen (the size toggle may be ahead)
        return torch.tensor([b.value for b in self.boxes], dtype=torch.float32).view(k, k)


def kernel_editor_widget(*, image: torch.Tensor | None = None, size: int = 3) -> KernelEditor:
    """Edit a 3×3 or 5×5 kernel (or pick a preset) and watch its feature map on ``image``
    (default: the sample photo, 150 px high). Ends a notebook cell to show it."""
    if size not in (3, 5):
        raise ValueError(f"size must be 3 or 5, got {size!r}")
    img = _default_image() if image is None else _as_image(image)
    names = list(KERNELS)
    menu = w.Dropdown(options=[*names, "custom"], value="edge", description="preset")
    toggle = w.ToggleButtons(options=[3, 5], value=size, description="size")
    toggle.style.button_width = "50px"
    grid = w.GridBox(layout=w.Layout(grid_gap="4px"))
    out = w.Output(layout=w.Layout(min_height="360px"))
    demo = KernelEditor([w.HBox([menu, toggle]), grid, out])
    demo._control_names = ("preset", "size", "kernel")
    demo.menu, demo.size, demo.grid, demo.boxes, demo.draws = menu, toggle, grid, [], 0
    hold = [False]

    def redraw() -> None:
        demo.draws += 1
        show(out, kernel_editor_figure(demo.kernel(), image=img))

    def edited(_change) -> None:
        if hold[0]:
            return
        hold[0] = True
        menu.value = "custom"
        hold[0] = False
        redraw()

    def load(values: torch.Tensor) -> None:
        hold[0] = True
        for box, v in zip(demo.boxes, values.flatten().tolist(), strict=True):
            box.value = round(v, 4)
        hold[0] = False

    def build(k: int) -> None:
        boxes = [w.BoundedFloatText(value=0.0, min=-99, max=99, step=0.1,
                                    layout=w.Layout(width="72px")) for _ in range(k * k)]
        for b in boxes:
            b.observe(edited, names="value")
        demo.boxes = boxes
        grid.children = boxes
        grid.layout.grid_template_columns = f"repeat({k}, 76px)"

    def chose(_change) -> None:
        if hold[0] or menu.value == "custom":
            return
        load(preset(menu.value, size=toggle.value))
        redraw()

    def resized(_change) -> None:
        old = demo.kernel() if demo.boxes else None
        build(toggle.value)
        if menu.value != "custom":
            load(preset(menu.value, size=toggle.value))
        elif old is not None:  # keep a custom kernel: crop 5->3 or pad 3->5
            load(old[1:-1, 1:-1] if old.shape[0] > toggle.value else F.pad(old, (1, 1, 1, 1)))
        redraw()

    menu.observe(chose, names="value")
    toggle.observe(resized, names="value")
    resized(None)
    return demo


# ----------------------------------------------------------------------------- sliding window


def window_positions(n: int, f: int, *, padding: int = 0, stride: int = 1,
                     dilation: int = 1) -> list[list[int]]:
    """For each output position along one axis, the (padded) input indices its window reads."""
    n_out = conv_output_size(n, f, padding=padding, stride=stride, dilation=dilation)
    return [[o * stride + t * dilation for t in range(f)] for o in range(n_out)]


def _number_grid(ax: Axes, values: np.ndarray, *, fmt: str = "g", shade: np.ndarray | None = None,
                 faded: np.ndarray | None = None, cmap: str = "Blues") -> None:
    """A grid of numbers; ``shade`` (bool) cells are coloured, ``faded`` ones greyed out."""
    h, wd = values.shape
    colour = np.zeros((h, wd)) if shade is None else shade.astype(float) * 0.35
    ax.imshow(colour, cmap=cmap, vmin=0, vmax=1)
    for i in range(h):
        for j in range(wd):
            v = values[i, j]
            if np.isnan(v):
                continue
            grey = faded is not None and faded[i, j]
            ax.text(j, i, format(v + 0.0, fmt), ha="center", va="center",
                    fontsize=13 if max(h, wd) <= 7 else 10, color="#999999" if grey else "black",
                    style="italic" if grey else "normal")
    ax.set_xticks(np.arange(wd + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(h + 1) - 0.5, minor=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.grid(which="minor", color="#888888", linewidth=1, alpha=1)
    ax.tick_params(which="both", length=0)
    ax.set_xlim(-0.5, wd - 0.5)
    ax.set_ylim(h - 0.5, -0.5)


def _outline(ax: Axes, r: int, c: int, h: int, wd: int, color: str, lw: float = 3) -> None:
    ax.add_patch(Rectangle((c - 0.5, r - 0.5), wd, h, fill=False, edgecolor=color, linewidth=lw,
                           zorder=5))


def _setup_window(x, kernel, padding, stride, dilation):
    x = _as_image(EXAMPLE_INPUT if x is None else x, "x")
    k = _as_image(EXAMPLE_KERNEL if kernel is None else kernel, "kernel")
    rows = window_positions(x.shape[0], k.shape[0], padding=padding, stride=stride,
                            dilation=dilation)
    cols = window_positions(x.shape[1], k.shape[1], padding=padding, stride=stride,
                            dilation=dilation)
    padded = F.pad(x, (padding,) * 4)
    out = conv2d(x, k, padding=padding, stride=stride, dilation=dilation)
    used = np.zeros(padded.shape, dtype=bool)
    for r in rows:
        for c in cols:
            used[np.ix_(r, c)] = True
    is_pad = np.ones(padded.shape, dtype=bool)
    is_pad[padding:padding + x.shape[0], padding:padding + x.shape[1]] = False
    return x, k, rows, cols, padded, out, used, is_pad


def _draw_input(ax: Axes, padded, used, is_pad, rows, cols, r_out, c_out, dilation) -> None:
    values = padded.numpy().copy()
    _number_grid(ax, values, shade=np.zeros_like(used), faded=is_pad)
    h, wd = values.shape
    for i in range(h):  # input cells that no window ever reads: hatched
        for j in range(wd):
            if not used[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none", hatch="//",
                                       edgecolor=UNUSED, linewidth=0, zorder=3))
    r, c = rows[r_out], cols[c_out]
    for i in r:
        for j in c:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, color=WINDOW, alpha=0.3, zorder=2))
    if dilation == 1:
        _outline(ax, r[0], c[0], len(r), len(c), WINDOW)
    else:
        for i in r:
            for j in c:
                _outline(ax, i, j, 1, 1, WINDOW, lw=2)


def sliding_window_figure(
    *,
    step: int = 0,
    x: torch.Tensor | None = None,
    kernel: torch.Tensor | None = None,
    padding: int = 0,
    stride: int = 1,
    dilation: int = 1,
) -> Figure:
    """One step of the sliding window: the (padded) input with the window, the kernel, the
    element-wise products, and the output filled up to this step (the current cell outlined).

    ``step`` counts output cells row by row (it is clipped to the last one). Padding zeros are
    grey italics; input cells no window reads (a stride that does not fit) are hatched.
    Defaults: :data:`EXAMPLE_INPUT` and :data:`EXAMPLE_KERNEL`.
    """
    x, k, rows, cols, padded, out, used, is_pad = _setup_window(x, kernel, padding, stride,
                                                                dilation)
    n_steps = len(rows) * len(cols)
    step = max(0, min(int(step), n_steps - 1))
    r_out, c_out = divmod(step, len(cols))
    window = padded[np.ix_(rows[r_out], cols[c_out])]
    products = window * k
    total = products.sum().item()
    with mpl.rc_context(SLIDE_RC):
        fig, axes = plt.subplots(1, 4, figsize=(11, 3.4),
                                 width_ratios=[padded.shape[1], k.shape[1], k.shape[1],
                                               out.shape[1]])
        _draw_input(axes[0], padded, used, is_pad, rows, cols, r_out, c_out, dilation)
        axes[0].set_title(f"input {x.shape[0]}×{x.shape[1]}" + (f", padding {padding}" if padding else ""),
                          fontsize=13)
        _number_grid(axes[1], k.numpy(), shade=np.ones(k.shape, bool), cmap="Greens")
        axes[1].set_title("kernel", fontsize=13)
        _number_grid(axes[2], products.numpy(), shade=np.ones(k.shape, bool))
        axes[2].set_title(f"products, sum = {total:g}", fontsize=13)
        shown = np.full(out.shape, np.nan)
        flat = out.flatten().numpy()
        shown.flat[: step + 1] = flat[: step + 1]
        done = np.zeros(out.shape, dtype=bool)
        done.flat[: step + 1] = True
        _number_grid(axes[3], shown, shade=done, cmap="Oranges")
        _outline(axes[3], r_out, c_out, 1, 1, OUTPUT)
        axes[3].set_title(f"output {out.shape[0]}×{out.shape[1]}", fontsize=13)
        if k.numel() <= 9:
            pairs = zip(window.flatten().tolist(), k.flatten().tolist(), strict=True)
            terms = " + ".join(f"{a:g}·{b:g}" if b >= 0 else f"{a:g}·({b:g})" for a, b in pairs)
            text = f"out[{r_out}, {c_out}] = {terms} = {total:g}"
        else:
            text = f"out[{r_out}, {c_out}] = sum of the {k.numel()} products = {total:g}"
        fig.suptitle(f"step {step + 1} of {n_steps}:  {text}", fontsize=12)
    return fig


def sliding_window_steps_figure(
    *,
    steps: Sequence[int] = (0, 1, 2, 3),
    x: torch.Tensor | None = None,
    kernel: torch.Tensor | None = None,
    padding: int = 0,
    stride: int = 1,
    dilation: int = 1,
) -> Figure:
    """A few steps side by side: the input with the window of each step and the output value
    it produces in the title (a static summary of :func:`sliding_window_figure`)."""
    x, k, rows, cols, padded, out, used, is_pad = _setup_window(x, kernel, padding, stride,
                                                                dilation)
    n_steps = len(rows) * len(cols)
    steps = [s for s in steps if 0 <= s < n_steps]
    if not steps:
        raise ValueError(f"steps must hold step numbers from 0 to {n_steps - 1}")
    with mpl.rc_context(SLIDE_RC):
        fig, axes = plt.subplots(1, len(steps), figsize=(min(11.0, 2.75 * len(steps)), 3.2),
                                 squeeze=False)
        for ax, step in zip(axes[0], steps, strict=True):
            r_out, c_out = divmod(step, len(cols))
            _draw_input(ax, padded, used, is_pad, rows, cols, r_out, c_out, dilation)
            ax.set_title(f"out[{r_out}, {c_out}] = {out[r_out, c_out].item():g}", fontsize=13)
    return fig


def sliding_window_widget(
    *, x: torch.Tensor | None = None, kernel: torch.Tensor | None = None
) -> LiveDemo:
    """The sliding window with a step slider (and a play button), padding and stride."""
    x_img = _as_image(EXAMPLE_INPUT if x is None else x, "x")
    k = _as_image(EXAMPLE_KERNEL if kernel is None else kernel, "kernel")

    def n_steps(p: int, s: int) -> int:
        return (conv_output_size(x_img.shape[0], k.shape[0], padding=p, stride=s)
                * conv_output_size(x_img.shape[1], k.shape[1], padding=p, stride=s))

    step = w.IntSlider(value=0, min=0, max=n_steps(0, 1) - 1, description="step",
                       continuous_update=True)
    pad = w.IntSlider(value=0, min=0, max=2, description="padding")
    stride = w.IntSlider(value=1, min=1, max=3, description="stride")
    play = w.Play(value=0, min=0, max=step.max, interval=900, description="play")
    w.jslink((play, "value"), (step, "value"))

    def rescale(_change) -> None:
        last = n_steps(pad.value, stride.value) - 1
        play.max = step.max = last  # a value above the new max is clipped by the slider

    pad.observe(rescale, names="value")
    stride.observe(rescale, names="value")
    demo = live(lambda step, padding, stride: sliding_window_figure(
        step=step, x=x_img, kernel=k, padding=padding, stride=stride),
        {"step": step, "padding": pad, "stride": stride})
    demo.children = (w.HBox([play]), *demo.children)
    return demo


# ----------------------------------------------------------------------------- output size


def output_size_text(n: int, f: int, *, padding: int = 0, stride: int = 1,
                     dilation: int = 1) -> str:
    """The output-size formula worked out for these numbers (one line), e.g.
    ``⌊(7 + 2·0 − 3)/3⌋ + 1 = ⌊4/3⌋ + 1 = ⌊1.33⌋ + 1 = 2``."""
    size = conv_output_size(n, f, padding=padding, stride=stride, dilation=dilation)
    top = n + 2 * padding - (dilation * (f - 1) + 1)
    fk = f"{f}" if dilation == 1 else f"({dilation}·({f}−1)+1)"
    head = f"({n} + 2·{padding} − {fk})"
    if stride == 1:
        return f"{head} + 1 = {top} + 1 = {size}"
    exact = f"{top // stride}" if top % stride == 0 else f"⌊{top / stride:.3g}⌋"
    return f"⌊{head}/{stride}⌋ + 1 = ⌊{top}/{stride}⌋ + 1 = {exact} + 1 = {size}"


def _torch_size(n: int, f: int, padding: int, stride: int, dilation: int) -> int:
    x = torch.zeros(1, 1, n)
    return F.conv1d(x, torch.zeros(1, 1, f), padding=padding, stride=stride,
                    dilation=dilation).shape[-1]


def output_size_figure(*, n: int = 7, f: int = 3, padding: int = 0, stride: int = 1,
                       dilation: int = 1) -> Figure:
    """Along one axis: the padded input (top row) and, below it, every window position the
    kernel takes. Cells no window reads are hatched. The title has the formula and torch's
    size. Impossible settings give a figure that says why."""
    with mpl.rc_context(SLIDE_RC):
        try:
            text = output_size_text(n, f, padding=padding, stride=stride, dilation=dilation)
        except ValueError as err:
            fig, ax = plt.subplots(figsize=(10, 1.2))
            ax.axis("off")
            ax.text(0.5, 0.5, f"impossible: {err}", ha="center", va="center", fontsize=13,
                    color=OUTPUT, wrap=True)
            return fig
        positions = window_positions(n, f, padding=padding, stride=stride, dilation=dilation)
        torch_size = _torch_size(n, f, padding, stride, dilation)
        width = n + 2 * padding
        rows = len(positions)
        fig, ax = plt.subplots(figsize=(min(11.0, max(7.5, 1.5 + 0.42 * width)),
                                        min(4.0, 1.4 + 0.3 * (rows + 1))))
        used = {i for pos in positions for i in pos}
        for i in range(width):
            pad = i < padding or i >= padding + n
            ax.add_patch(Rectangle((i, 0), 1, 1, facecolor="#EEEEEE" if pad else "white",
                                   edgecolor="#666666", linewidth=1))
            ax.text(i + 0.5, 0.5, "0" if pad else str(i - padding), ha="center", va="center",
                    fontsize=10, color="#999999" if pad else "black",
                    style="italic" if pad else "normal")
            if i not in used:
                ax.add_patch(Rectangle((i, 0), 1, 1, facecolor="none", hatch="//",
                                       edgecolor=OUTPUT, linewidth=0))
        for o, pos in enumerate(positions):
            y = -(o + 1.3)
            for i in pos:
                ax.add_patch(Rectangle((i + 0.1, y + 0.15), 0.8, 0.7, color=WINDOW, alpha=0.8))
            ax.text(-0.3, y + 0.5, f"out {o}", ha="right", va="center", fontsize=10)
        ax.set_xlim(-2.2, width + 0.2)
        ax.set_ylim(-(rows + 1.3), 1.1)
        ax.axis("off")
        ax.set_title(f"N={n}, F={f}, P={padding}, S={stride}, D={dilation}  ->  output "
                     f"{torch_size} in torch\n{text}", fontsize=12)
    return fig


def output_size_widget() -> LiveDemo:
    """Sliders for N, F, P, S, D; the window positions and the formula update live."""
    def control(name: str, value: int, lo: int, hi: int) -> w.IntSlider:
        return w.IntSlider(value=value, min=lo, max=hi, description=name,
                           style={"description_width": "initial"},
                           layout=w.Layout(width="260px"))

    return live(lambda N, F, P, S, D: output_size_figure(n=N, f=F, padding=P, stride=S,
                                                         dilation=D),
                {"N": control("N", 7, 1, 20), "F": control("F", 3, 1, 7),
                 "P": control("P", 0, 0, 3), "S": control("S", 1, 1, 4),
                 "D": control("D", 1, 1, 3)})
