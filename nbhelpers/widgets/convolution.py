"""Lecture 10 demos: how a convolution moves over its input.

Each demo is a pure figure function (the notebook's static fallback) plus a widget:

- :func:`sliding_window_figure` and :func:`sliding_window_widget` (the window, its
  element-wise products, their sum and the output cell it fills; a slider with a play button);
- :func:`output_size_figure` / :func:`output_size_text` and :func:`output_size_widget`
  (N, F, P, S, D -> ⌊(N + 2P − D(F−1) − 1)/S⌋ + 1, the window positions along one axis, and
  the size torch produces).

The arithmetic is :func:`nbhelpers.kernels.conv_output_size` and
:func:`nbhelpers.kernels.window_positions`. All convolutions are cross-correlations, as in
``torch.nn.functional.conv2d``. The kernel editor is :mod:`nbhelpers.widgets.kernel_editor`.
"""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.kernels import conv2d, conv_output_size, window_positions
from nbhelpers.widgets import LiveDemo, listing, live, num
from nbhelpers.widgets.grids import as_image, hatch, number_grid, outline

__all__ = [
    "EXAMPLE_INPUT", "EXAMPLE_KERNEL", "output_size_figure", "output_size_text",
    "output_size_widget", "sliding_window_figure", "sliding_window_widget",
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

WINDOW, OUTPUT = PALETTE[0], PALETTE[1]

#: Names for the icon-only buttons of a ``Play`` widget with the class ``nn-play`` (CSS
#: generated text counts in a button's accessible name).
PLAY_STYLE = "<style>" + " ".join(
    f'.nn-play .jupyter-button:nth-child({i})::after {{content: " {name}";}}'
    for i, name in enumerate(("play", "pause", "stop", "repeat"), start=1)
) + " .nn-play {width: auto;}</style>"


# ----------------------------------------------------------------------------- sliding window


class _Window(NamedTuple):
    """Everything one sliding-window picture needs."""

    x: torch.Tensor  # the input H×W
    k: torch.Tensor  # the kernel F×F
    rows: list[list[int]]  # per output row, the padded input rows its window reads
    cols: list[list[int]]  # per output column, the padded input columns
    padded: torch.Tensor  # the input with its zero padding, (H+2P)×(W+2P)
    out: torch.Tensor  # the output conv2d computes
    used: np.ndarray  # bool, padded shape: read by some window
    is_pad: np.ndarray  # bool, padded shape: a padding zero


def _setup_window(x: torch.Tensor | None, kernel: torch.Tensor | None, padding: int,
                  stride: int, dilation: int) -> _Window:
    x = as_image(EXAMPLE_INPUT if x is None else x, "x")
    k = as_image(EXAMPLE_KERNEL if kernel is None else kernel, "kernel")
    settings = {"padding": padding, "stride": stride, "dilation": dilation}
    rows = window_positions(x.shape[0], k.shape[0], **settings)
    cols = window_positions(x.shape[1], k.shape[1], **settings)
    padded = F.pad(x, (padding,) * 4)
    out = conv2d(x, k, **settings)
    used = np.zeros(padded.shape, dtype=bool)
    for r in rows:
        for c in cols:
            used[np.ix_(r, c)] = True
    is_pad = np.ones(padded.shape, dtype=bool)
    is_pad[padding:padding + x.shape[0], padding:padding + x.shape[1]] = False
    return _Window(x, k, rows, cols, padded, out, used, is_pad)


def _draw_input(ax: Axes, win: _Window, r_out: int, c_out: int, dilation: int) -> None:
    """The padded input as numbers, with the window of output cell (r_out, c_out)."""
    number_grid(ax, win.padded.numpy(), shade=np.zeros_like(win.used), faded=win.is_pad)
    for i, j in zip(*np.nonzero(~win.used), strict=True):  # cells no window reads
        hatch(ax, j - 0.5, i - 0.5)
    r, c = win.rows[r_out], win.cols[c_out]
    for i in r:
        for j in c:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, color=WINDOW, alpha=0.3, zorder=2))
    if dilation == 1:
        outline(ax, r[0], c[0], len(r), len(c), WINDOW)
    else:
        for i in r:
            for j in c:
                outline(ax, i, j, 1, 1, WINDOW, lw=2)


def _sum_text(r_out: int, c_out: int, window: torch.Tensor, k: torch.Tensor, total: float) -> str:
    """``out[r, c] = a·b + ...`` written out for kernels of up to 9 numbers."""
    if k.numel() > 9:
        return f"out[{r_out}, {c_out}] = sum of the {k.numel()} products = {total:g}"
    pairs = zip(window.flatten().tolist(), k.flatten().tolist(), strict=True)
    terms = " + ".join(f"{a:g}·{b:g}" if b >= 0 else f"{a:g}·({b:g})" for a, b in pairs)
    return f"out[{r_out}, {c_out}] = {terms} = {total:g}"


def _draw_output(ax: Axes, out: torch.Tensor, step: int, r_out: int, c_out: int) -> None:
    """The output filled up to ``step`` (row by row), the current cell outlined."""
    shown = np.full(out.shape, np.nan)
    shown.flat[: step + 1] = out.flatten().numpy()[: step + 1]
    done = np.zeros(out.shape, dtype=bool)
    done.flat[: step + 1] = True
    number_grid(ax, shown, shade=done, cmap="Oranges")
    outline(ax, r_out, c_out, 1, 1, OUTPUT)
    ax.set_title(f"output {out.shape[0]}×{out.shape[1]}", fontsize=13)


@slide_figure
def sliding_window_figure(
    *, step: int = 0, x: torch.Tensor | None = None, kernel: torch.Tensor | None = None,
    padding: int = 0, stride: int = 1, dilation: int = 1,
) -> Figure:
    """One step of the sliding window: the (padded) input H×W with the window, the kernel,
    the element-wise products, and the output filled up to this step (the current cell
    outlined).

    ``step`` counts output cells row by row (it is clipped to the last one). Padding zeros are
    grey italics; input cells no window reads (a stride that does not fit) are hatched.
    Defaults: :data:`EXAMPLE_INPUT` and :data:`EXAMPLE_KERNEL`.
    """
    win = _setup_window(x, kernel, padding, stride, dilation)
    k, n_steps = win.k, len(win.rows) * len(win.cols)
    step = max(0, min(int(step), n_steps - 1))
    r_out, c_out = divmod(step, len(win.cols))
    window = win.padded[np.ix_(win.rows[r_out], win.cols[c_out])]
    products = window * k
    total = products.sum().item()
    fig, axes = plt.subplots(1, 4, figsize=(11, 3.4), width_ratios=[
        win.padded.shape[1], k.shape[1], k.shape[1], win.out.shape[1]])
    _draw_input(axes[0], win, r_out, c_out, dilation)
    axes[0].set_title(f"input {win.x.shape[0]}×{win.x.shape[1]}"
                      + (f", padding {padding}" if padding else ""), fontsize=13)
    number_grid(axes[1], k.numpy(), shade=np.ones(k.shape, bool), cmap="Greens")
    axes[1].set_title("kernel", fontsize=13)
    number_grid(axes[2], products.numpy(), shade=np.ones(k.shape, bool))
    axes[2].set_title(f"products, sum = {total:g}", fontsize=13)
    _draw_output(axes[3], win.out, step, r_out, c_out)
    fig.suptitle(f"step {step + 1} of {n_steps}:  {_sum_text(r_out, c_out, window, k, total)}",
                 fontsize=12)
    kernel_rows = "; ".join(" ".join(num(v, 3) for v in row) for row in k.tolist())
    r, c = win.rows[r_out], win.cols[c_out]
    unread = int((~win.used & ~win.is_pad).sum())
    return describe(fig, (
        f"Step {step + 1} of {n_steps} of a convolution: the {k.shape[0]}×{k.shape[1]} window "
        f"covers rows {r[0]} to {r[-1]} and columns {c[0]} to {c[-1]} of the "
        + (f"{win.padded.shape[0]}×{win.padded.shape[1]} padded input (the "
           f"{win.x.shape[0]}×{win.x.shape[1]} input with {padding} ring"
           f"{'s' * (padding > 1)} of zeros)" if padding else
           f"{win.x.shape[0]}×{win.x.shape[1]} input")
        + f"; it is multiplied cell by cell with the kernel (rows: {kernel_rows}) and the "
        f"products are summed: {_sum_text(r_out, c_out, window, k, total)}. That fills cell "
        f"({r_out}, {c_out}) of the {win.out.shape[0]}×{win.out.shape[1]} output, which is "
        "filled row by row"
        + (f"; {unread} input cell{'s' * (unread > 1)}, read by no window, "
           f"{'are' if unread > 1 else 'is'} hatched." if unread else ".")))


def sliding_window_widget(
    *, x: torch.Tensor | None = None, kernel: torch.Tensor | None = None
) -> LiveDemo:
    """The sliding window over ``x`` (H×W) with a step slider (and a play button), padding
    and stride."""
    x_img = as_image(EXAMPLE_INPUT if x is None else x, "x")
    k = as_image(EXAMPLE_KERNEL if kernel is None else kernel, "kernel")

    def n_steps(p: int, s: int) -> int:
        return (conv_output_size(x_img.shape[0], k.shape[0], padding=p, stride=s)
                * conv_output_size(x_img.shape[1], k.shape[1], padding=p, stride=s))

    step = w.IntSlider(value=0, min=0, max=n_steps(0, 1) - 1, description="step",
                       continuous_update=True)
    pad = w.IntSlider(value=0, min=0, max=2, description="padding")
    stride = w.IntSlider(value=1, min=1, max=3, description="stride")
    play = w.Play(value=0, min=0, max=step.max, interval=900, description="play the steps",
                  description_tooltip="play, pause, stop, repeat: move the window step by step")
    w.jslink((play, "value"), (step, "value"))

    def rescale(_change) -> None:
        last = n_steps(pad.value, stride.value) - 1
        play.max = step.max = last  # a value above the new max is clipped by the slider

    pad.observe(rescale, names="value")
    stride.observe(rescale, names="value")
    demo = live(lambda step, padding, stride: sliding_window_figure(
        step=step, x=x_img, kernel=k, padding=padding, stride=stride),
        {"step": step, "padding": pad, "stride": stride})
    # ipywidgets 7 draws Play as four icon-only buttons, without its description: PLAY_STYLE
    # writes each button's name after its icon (visible text, and so its accessible name, in
    # JupyterLab, RISE and Colab alike); the label before them says what they play.
    play.add_class("nn-play")
    demo.children = (w.HBox([w.HTML(value=f"play the steps:{PLAY_STYLE}"), play]),
                     *demo.children)
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


def _draw_positions(ax: Axes, n: int, padding: int, positions: list[list[int]]) -> None:
    """The padded input as one row of cells, and under it one row per window position."""
    width = n + 2 * padding
    used = {i for pos in positions for i in pos}
    for i in range(width):
        pad = i < padding or i >= padding + n
        ax.add_patch(Rectangle((i, 0), 1, 1, facecolor="#EEEEEE" if pad else "white",
                               edgecolor="#666666", linewidth=1))
        ax.text(i + 0.5, 0.5, "0" if pad else str(i - padding), ha="center", va="center",
                fontsize=10, color="#595959" if pad else "black",  # 4.5:1 on #EEEEEE
                style="italic" if pad else "normal")
        if i not in used:
            hatch(ax, i, 0, OUTPUT, zorder=1)
    for o, pos in enumerate(positions):
        y = -(o + 1.3)
        for i in pos:
            ax.add_patch(Rectangle((i + 0.1, y + 0.15), 0.8, 0.7, color=WINDOW, alpha=0.8))
        ax.text(-0.3, y + 0.5, f"out {o}", ha="right", va="center", fontsize=10)
    ax.set_xlim(-2.2, width + 0.2)
    ax.set_ylim(-(len(positions) + 1.3), 1.1)
    ax.axis("off")


@slide_figure
def output_size_figure(*, n: int = 7, f: int = 3, padding: int = 0, stride: int = 1,
                       dilation: int = 1) -> Figure:
    """Along one axis: the padded input (top row) and, below it, every window position the
    kernel takes. Cells no window reads are hatched. The title has the formula and torch's
    size. Impossible settings give a figure that says why."""
    settings = {"padding": padding, "stride": stride, "dilation": dilation}
    try:
        text = output_size_text(n, f, **settings)
    except ValueError as err:
        fig, ax = plt.subplots(figsize=(10, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, f"impossible: {err}", ha="center", va="center", fontsize=13,
                color=OUTPUT, wrap=True)
        return describe(fig, f"No window position for N={n}, F={f}, P={padding}, "
                             f"S={stride}, D={dilation}: impossible, {err}")
    positions = window_positions(n, f, **settings)
    width, rows = n + 2 * padding, len(positions)
    fig, ax = plt.subplots(figsize=(min(11.0, max(7.5, 1.5 + 0.42 * width)),
                                    min(4.0, 1.4 + 0.3 * (rows + 1))))
    _draw_positions(ax, n, padding, positions)
    size = _torch_size(n, f, padding, stride, dilation)
    ax.set_title(f"N={n}, F={f}, P={padding}, S={stride}, D={dilation}  ->  output "
                 f"{size} in torch\n{text}", fontsize=12)
    used = {i for pos in positions for i in pos}
    unread = [i - padding for i in range(padding, padding + n) if i not in used]
    starts = listing(pos[0] - padding for pos in positions)
    return describe(fig, (
        f"Along one axis: an input of N = {n} cells"
        + (f" with {padding} padding zero{'s' * (padding > 1)} on each side" if padding else "")
        + f", and below it each of the {rows} positions of a kernel of F = {f} cells "
        f"(stride {stride}, dilation {dilation}), starting at input cell{'s' * (rows > 1)} {starts}. Output size "
        f"{text}, as torch computes"
        + (f"; input cell{'s' * (len(unread) > 1)} {listing(unread)}, read by no window, "
           f"{'are' if len(unread) > 1 else 'is'} hatched." if unread else ".")))


def output_size_widget() -> LiveDemo:
    """Sliders for N, F, P, S, D; the window positions and the formula update live."""
    def control(name: str, value: int, lo: int, hi: int) -> w.IntSlider:
        return w.IntSlider(value=value, min=lo, max=hi, description=name,
                           style={"description_width": "initial"},
                           layout=w.Layout(width="260px"))

    return live(lambda N, F, P, S, D: output_size_figure(n=N, f=F, padding=P, stride=S,
                                                         dilation=D),
                {"N": control("input N", 7, 1, 20), "F": control("kernel F", 3, 1, 7),
                 "P": control("padding P", 0, 0, 3), "S": control("stride S", 1, 1, 4),
                 "D": control("dilation D", 1, 1, 3)})
