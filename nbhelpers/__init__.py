"""nbhelpers: the plumbing behind the neural-network lecture notebooks.

Each lecture's code sits in three places with one shape: a topic module holds the maths, a
module in ``widgets/`` holds its controls and figures, and ``check/<lecture>`` its exercises.
Import the module you need, e.g. ``from nbhelpers import kernels``.

Every lecture
    - :mod:`nbhelpers.device`        ``setup()`` (every notebook's first cell), device, seeding
    - :mod:`nbhelpers.display`       the one display layer: slide style, size limit, PNG
    - :mod:`nbhelpers.plotting`      projector-sized figures: ``curves`` (functions and slopes),
      ``image_grids`` (images, feature maps, kernels), ``confusion`` (confusion matrices)
    - :mod:`nbhelpers.data`          MNIST / FashionMNIST from one data root, fast tensor batches
    - :mod:`nbhelpers.training`      ``fit``/``evaluate``/``predict`` for CPU and GPU:
      ``loop`` (``train_epoch``, ``fit``), ``speed``, ``metrics``, ``history``, ``live``,
      ``checks``, ``checkpoint``
    - :mod:`nbhelpers.check`         ``check.<exercise>(answer)``: one module per lecture
    - :mod:`nbhelpers.widgets`       ``live()`` demos with static fallbacks, one module per topic

Topics, in lecture order
    - :mod:`nbhelpers.neuron`         (01) step, perceptron, truth tables, logic gates
    - :mod:`nbhelpers.ilsvrc`         (01) ImageNet (ILSVRC) winners' top-5 error by year, plotted
    - :mod:`nbhelpers.activations`    (02) activation functions, derivatives, gradients through a
      chain and through a deep network
    - :mod:`nbhelpers.approximation`  (03) what a trained 1-D network outputs, and its error
    - :mod:`nbhelpers.losses`         (04) loss tables, each loss with its gradient
    - :mod:`nbhelpers.descent`        (05, 07) loss surfaces, gradient-descent and optimiser paths
    - :mod:`nbhelpers.compgraph`      (06) a computational graph with values and gradients
    - :mod:`nbhelpers.schedules`      (07) learning-rate schedules read off torch schedulers
    - :mod:`nbhelpers.initialisation` (08) a deep linear stack, per-layer signal statistics
    - :mod:`nbhelpers.regularisation` (09) weight norm, training runs compared
    - :mod:`nbhelpers.images`         (10) a photograph, an uploaded image, greyscale, a digit
    - :mod:`nbhelpers.kernels`        (10-11) convolution and pooling written to be read, sizes
    - :mod:`nbhelpers.layers`         (11-12) what each layer of a model does to shapes
    - :mod:`nbhelpers.models`         (08-15) the course's networks and parameter counts
    - :mod:`nbhelpers.digits`         (12) disturb a digit, class probabilities, robustness
    - :mod:`nbhelpers.handwriting`    (12) a drawn digit made into an MNIST-style 28×28 image
    - :mod:`nbhelpers.ellipses`       (14) synthetic ellipses with known parameters
    - :mod:`nbhelpers.generative`     (15) a Gaussian per class that classifies and samples
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Where the course lives: the Colab badges and install lines, the site's links and the hub's
#: nbgitpuller links are made from it. This is the one definition; `make set-repo
#: REPO=owner/name` (tools/set_repo.py) rewrites it and every copy in the notebooks and docs.
REPO_URL = "https://github.com/nn-lectures/nn-lectures"

from nbhelpers.device import get_device, seed_everything, setup  # noqa: E402

__all__ = ["REPO_URL", "__version__", "get_device", "seed_everything", "setup"]
