"""Fixtures of the preprocess tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pp_cardphotos import Photo, photograph, render_card


@pytest.fixture
def make_photo() -> Callable[..., Photo]:
    def factory(**kwargs: object) -> Photo:
        seed = int(kwargs.pop("seed", 0))  # type: ignore[call-overload]
        card = render_card(int(kwargs.pop("card_width", 856)), seed=seed)  # type: ignore[call-overload]
        return photograph(card, seed=seed, **kwargs)  # type: ignore[arg-type]

    return factory
