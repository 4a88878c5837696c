"""nbhelpers: the plumbing behind the neural-network lecture notebooks.

Modules, one topic each (import the one you need, e.g. ``from nbhelpers import kernels``):

- :mod:`nbhelpers.data`      MNIST / FashionMNIST from a configurable data root, fast tensor batches
- :mod:`nbhelpers.device`    device choice and seeding
- :mod:`nbhelpers.plotting`  projector-friendly figures
- :mod:`nbhelpers.kernels`   convolution and pooling written to be read, output-size arithmetic
- :mod:`nbhelpers.training`  one training loop for laptop CPU and GPU
- :mod:`nbhelpers.widgets`   interactive demos (ipywidgets) with static fallbacks

``setup()`` is what every notebook's first code cell calls.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Where the course lives (used for the Colab badge and the Colab install line).
REPO_URL = "https://github.com/nn-lectures/nn-lectures"

from nbhelpers.device import get_device, seed_everything, setup  # noqa: E402

__all__ = ["REPO_URL", "__version__", "get_device", "seed_everything", "setup"]
