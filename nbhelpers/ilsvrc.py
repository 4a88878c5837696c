"""Why deep learning took over: the ImageNet challenge (ILSVRC) results, year by year (lecture 01).

:data:`WINNERS` holds the published top-5 classification error of each year's winning entry,
:data:`HUMAN_TOP5_ERROR` the human estimate, :func:`plot_top5_errors` draws them for a slide.

Top-5 error: the share of test images whose true class (one of 1000) is not among the five
classes the model ranks highest. Sources (percent, rounded as published):

- 2010–2014 and the human estimate: O. Russakovsky et al., "ImageNet Large Scale Visual
  Recognition Challenge", IJCV 115 (2015) 211–252; the human figure (5.1 %) is one trained
  annotator (A. Karpathy) on 1500 test images, Sec. 6.4 there.
- every year: the official result tables, image-net.org/challenges/LSVRC/<year>/results;
  for 2015 also He et al., "Deep Residual Learning", CVPR 2016 (3.57 %), for 2017 Hu et al.,
  "Squeeze-and-Excitation Networks", CVPR 2018 (2.251 %).

2012 and 2013 count the best entry trained on the supplied ILSVRC data only, as the IJCV paper
does: SuperVision's (AlexNet's) entry with extra ImageNet Fall-2011 images scored 15.3 %
(the figure in Krizhevsky et al. 2012), Clarifai's with outside data 11.2 %. The 2010 and 2011
test sets differ from the one used from 2012 to 2017.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from nbhelpers.display import PALETTE, describe, slide_figure

__all__ = ["CLASSES", "HUMAN_TOP5_ERROR", "TRAIN_IMAGES", "WINNERS", "Result", "plot_top5_errors"]


class Result(NamedTuple):
    """One year's winning classification entry: ``top5_error`` in percent; ``deep``: a deep
    convolutional network (True from 2012 on), else hand-designed features + a linear model."""

    year: int
    team: str
    model: str
    top5_error: float
    deep: bool


#: ILSVRC classification winners, 2010–2017 (the challenge's last year), top-5 error in %.
WINNERS: tuple[Result, ...] = (
    Result(2010, "NEC-UIUC", "coding+SVM", 28.2, False),
    Result(2011, "XRCE", "Fisher+SVM", 25.8, False),
    Result(2012, "SuperVision", "AlexNet", 16.4, True),
    Result(2013, "Clarifai", "ZF Net", 11.7, True),
    Result(2014, "GoogLeNet", "GoogLeNet", 6.7, True),
    Result(2015, "MSRA", "ResNet", 3.57, True),
    Result(2016, "Trimps-Soushen", "ensemble", 2.99, True),
    Result(2017, "WMW", "SENet", 2.25, True),
)

#: Top-5 error (%) of one trained human annotator (Russakovsky et al. 2015, Sec. 6.4).
HUMAN_TOP5_ERROR = 5.1

#: Hatching of the deep networks' bars: the second cue beside their colour.
_HATCH = "//"

#: The classification data of ILSVRC 2012–2017: classes, and labelled training images.
CLASSES, TRAIN_IMAGES = 1000, 1_281_167


@slide_figure
def plot_top5_errors(
    results: Sequence[Result] = WINNERS, *, human: float | None = HUMAN_TOP5_ERROR,
    figsize: tuple[float, float] = (9.0, 3.6),
) -> Figure:
    """Bars of the winning top-5 error (%) per year (``results``: :class:`Result` s, one per
    year), each with its value and model, coloured by hand-designed features vs deep network,
    and a dashed line at the ``human`` estimate (None: no line)."""
    results = list(results)
    if not results or not all(isinstance(r, Result) for r in results):
        raise ValueError("give a non-empty sequence of ilsvrc.Result, e.g. ilsvrc.WINNERS")
    if any(not 0 < r.top5_error <= 100 for r in results):
        raise ValueError("top5_error is a percentage in (0, 100]")
    fig, ax = plt.subplots(figsize=figsize)
    years = [r.year for r in results]
    colours = [PALETTE[1] if r.deep else PALETTE[0] for r in results]
    bars = ax.bar(years, [r.top5_error for r in results], color=colours, width=0.7,
                  edgecolor="white", linewidth=0)
    for bar, r in zip(bars, results, strict=True):  # a second cue beside the colour
        bar.set_hatch(_HATCH if r.deep else "")
    for r in results:
        ax.annotate(f"{r.top5_error:g}", (r.year, r.top5_error), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=12,
                    bbox={"fc": "white", "ec": "none", "pad": 1})
    handles = [Patch(fc=PALETTE[0], ec="white", lw=0,
                     label="hand-designed features + linear classifier"),
               Patch(fc=PALETTE[1], ec="white", lw=0, hatch=_HATCH,
                     label="deep convolutional network")]
    if human is not None:
        handles.append(ax.axhline(human, color="k", ls="--", lw=1.5, zorder=0,
                                  label=f"a trained human: {human:g}"))
    ax.legend(handles=handles, loc="upper right", fontsize=11)
    ax.set_xticks(years, [f"{r.year}\n{r.model}" for r in results], fontsize=11)
    ax.set_ylim(0, max(r.top5_error for r in results) * 1.3)
    ax.set_ylabel("top-5 error (%)")
    ax.grid(axis="x", visible=False)
    ax.set_title("ImageNet (ILSVRC) classification: the winning entry each year")
    bars_text = ", ".join(f"{r.year} {r.model} {r.top5_error:g}%" for r in results)
    kinds = []
    for deep, words in ((False, "hand-designed features (plain bars)"),
                        (True, "deep convolutional networks (hatched bars)")):
        years_of = [r.year for r in results if r.deep == deep]
        if years_of:
            kinds.append(f"{words} {min(years_of)}" + (f" to {max(years_of)}"
                                                       if len(years_of) > 1 else ""))
    alt = (f"Bar chart of the winning top-5 error on ImageNet per year: {bars_text}; "
           f"{' and '.join(kinds)}.")
    if human is not None:
        below = [r for r in results if r.top5_error < human]
        alt += (f" A dashed line marks a trained human at {human:g}%"
                + (f", first beaten in {below[0].year} by {below[0].model}." if below else "."))
    return describe(fig, alt)
