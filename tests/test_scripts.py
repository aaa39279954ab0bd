"""Unicode helpers of the text rules, against plain reference implementations."""

from __future__ import annotations

import itertools
import random

import pytest

from shelfcheck.analysis.scripts import has_run_longer_than, longest_run, symbols_only

_ALPHABET = "aab b-!!短短é\n_1"


def _samples() -> list[str]:
    rng = random.Random(7)
    texts = ["", " ", "a" * 10, "a" * 9, "xaaaaaaaaaay", "短" * 12, "\n" * 10, "!!! ***", "_", "Ⅳ", "²"]
    for _ in range(3000):
        runs = range(rng.randint(0, 8))
        texts.append("".join(rng.choice(_ALPHABET) * rng.choice([1, 1, 2, 3, 5, 9, 10]) for _ in runs))
    return texts


@pytest.mark.parametrize("limit", [1, 3, 9])
def test_runs_longer_than_a_limit_as_groupby_counts_them(limit: int) -> None:
    for text in _samples():
        longest = max((len(list(group)) for _, group in itertools.groupby(text)), default=0)
        assert has_run_longer_than(text, limit) == (longest > limit), repr(text)
        assert longest_run(text)[1] == longest, repr(text)


def test_symbols_only_means_no_letter_or_digit() -> None:
    for text in _samples():
        assert symbols_only(text) == (bool(text.strip()) and not any(ch.isalnum() for ch in text)), repr(text)
