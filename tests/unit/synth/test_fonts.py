"""Font discovery: installed families are found; a missing role is a clear configuration error."""

from __future__ import annotations

import pytest

from idstream.errors import ConfigurationError
from idstream.synth import fonts


def test_every_role_has_a_font_with_the_diacritics() -> None:
    for role in fonts.FONT_ROLES:
        pool = fonts.font_pool(role)
        assert pool
        assert any(fonts.supports(p, "ÀÉÎÕÜ ŁŚŻ ŘŮ ŐŰ ÆØÅ ß İŞĞ") for p in pool), role
    assert not fonts.supports(fonts.font_pool("sans")[0], "\ue001")  # private use: no glyph


def test_missing_fonts_raise_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_DIRS", ("/nonexistent",))
    fonts.font_pool.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="apt-packages"):
            fonts.font_pool("mono")
        with pytest.raises(ValueError):
            fonts.font_pool("comic")
    finally:
        monkeypatch.undo()
        fonts.font_pool.cache_clear()
