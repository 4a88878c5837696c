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
    - :mod:`nbhelpers.neuron`        (01) step, perceptron, truth tables, logic gates
    - :mod:`nbhelpers.activations`   (02) activation functions, derivatives, gradient through a chain
    - :mod:`nbhelpers.approximation` (03) what a trained 1-D network outputs, and its error
    - :mod:`nbhelpers.losses`        (04) loss tables, each loss with its gradient
    - :mod:`nbhelpers.descent`       (05) loss surfaces, gradient-descent and optimiser paths
    - :mod:`nbhelpers.compgraph`     (05) a computational graph with values and gradients
    - :mod:`nbhelpers.images`        (06) a photograph, greyscale, one MNIST digit
    - :mod:`nbhelpers.kernels`       (06-07) convolution and pooling written to be read, sizes
    - :mod:`nbhelpers.layers`        (07-08) what each layer of a model does to shapes
    - :mod:`nbhelpers.models`        (08-11) the course's networks and parameter counts
    - :mod:`nbhelpers.digits`        (08) disturb a digit, class probabilities
    - :mod:`nbhelpers.ellipses`      (10) synthetic ellipses with known parameters
    - :mod:`nbhelpers.generative`    (11) a Gaussian per class that classifies and samples
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Where the course lives (used for the Colab badge and the Colab install line).
REPO_URL = "https://github.com/nn-lectures/nn-lectures"

from nbhelpers.device import get_device, seed_everything, setup  # noqa: E402

__all__ = ["REPO_URL", "__version__", "get_device", "seed_everything", "setup"]
