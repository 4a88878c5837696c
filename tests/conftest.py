"""Shared fixtures. Tests that need the real data sets skip with a reason when
NBHELPERS_DATA does not point at them (CI sets it to ../shared/data)."""

from __future__ import annotations

import pytest


def _have(name: str) -> bool:
    from nbhelpers.data import RAW_FILES, raw_folder

    return all((raw_folder(name) / f).is_file() for f in RAW_FILES)


@pytest.fixture(scope="session")
def mnist_available() -> None:
    if not _have("mnist"):
        pytest.skip("MNIST not found: set NBHELPERS_DATA to a folder holding MNIST/raw")


@pytest.fixture(scope="session")
def fashion_available() -> None:
    if not _have("fashionmnist"):
        pytest.skip("FashionMNIST not found: set NBHELPERS_DATA to a folder holding it")
