"""Free font families installed from Debian packages, found at known paths.

The packages are listed in ``scripts/apt-packages.txt`` (``fonts-dejavu-core``,
``fonts-liberation2``, ``fonts-freefont-ttf``, ``fonts-urw-base35``,
``fonts-crosextra-carlito``, ``fonts-noto-mono``). Families missing on a machine are
skipped; :func:`font_pool` raises :class:`~idstream.errors.ConfigurationError` when a
role (``sans``, ``serif``, ``mono``) has no font at all.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

from idstream.errors import ConfigurationError

__all__ = ["FONT_DIRS", "FONT_ROLES", "font", "font_pool", "supports"]

FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype",
    "/usr/share/fonts/opentype",
    "/usr/local/share/fonts",
)

#: role -> candidate font files (relative to one of :data:`FONT_DIRS`).
FONT_ROLES: dict[str, tuple[str, ...]] = {
    "sans": (
        "dejavu/DejaVuSans.ttf",
        "dejavu/DejaVuSansCondensed.ttf",
        "liberation2/LiberationSans-Regular.ttf",
        "freefont/FreeSans.ttf",
        "urw-base35/NimbusSans-Regular.otf",
        "urw-base35/NimbusSansNarrow-Regular.otf",
        "crosextra/Carlito-Regular.ttf",
        "urw-base35/URWGothic-Book.otf",
    ),
    "sans_bold": (
        "dejavu/DejaVuSans-Bold.ttf",
        "dejavu/DejaVuSansCondensed-Bold.ttf",
        "liberation2/LiberationSans-Bold.ttf",
        "freefont/FreeSansBold.ttf",
        "urw-base35/NimbusSans-Bold.otf",
        "urw-base35/NimbusSansNarrow-Bold.otf",
        "crosextra/Carlito-Bold.ttf",
    ),
    "serif": (
        "dejavu/DejaVuSerif.ttf",
        "liberation2/LiberationSerif-Regular.ttf",
        "freefont/FreeSerif.ttf",
        "urw-base35/NimbusRoman-Regular.otf",
        "urw-base35/P052-Roman.otf",
        "urw-base35/C059-Roman.otf",
    ),
    "italic": (
        "dejavu/DejaVuSans-Oblique.ttf",
        "liberation2/LiberationSans-Italic.ttf",
        "freefont/FreeSerifItalic.ttf",
        "urw-base35/NimbusSans-Italic.otf",
    ),
    "mono": (
        "dejavu/DejaVuSansMono.ttf",
        "liberation2/LiberationMono-Regular.ttf",
        "freefont/FreeMono.ttf",
        "urw-base35/NimbusMonoPS-Regular.otf",
        "noto/NotoSansMono-Regular.ttf",
        "noto/NotoMono-Regular.ttf",
    ),
}


def _resolve(relative: str) -> str | None:
    for root in FONT_DIRS:
        path = Path(root) / relative
        if path.is_file():
            return str(path)
    return None


@functools.cache
def font_pool(role: str) -> tuple[str, ...]:
    """Paths of the installed fonts of one role.

    Raises:
        ValueError: for an unknown role.
        ConfigurationError: when no font of the role is installed.
    """
    if role not in FONT_ROLES:
        raise ValueError(f"unknown font role {role!r}; expected one of {sorted(FONT_ROLES)}")
    found = tuple(p for p in (_resolve(r) for r in FONT_ROLES[role]) if p is not None)
    if not found:
        raise ConfigurationError(
            f"no {role} font found under {', '.join(FONT_DIRS)}; install the font packages listed in "
            "scripts/apt-packages.txt (bash scripts/install-system.sh)"
        )
    return found


@functools.lru_cache(maxsize=2048)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A cached FreeType font."""
    return ImageFont.truetype(path, max(int(size), 4))


@functools.cache
def _notdef(path: str) -> bytes:
    return bytes(font(path, 24).getmask("\ue000"))


@functools.lru_cache(maxsize=65536)
def _has_glyph(path: str, ch: str) -> bool:
    if ch.isspace():
        return True
    return bytes(font(path, 24).getmask(ch)) != _notdef(path)


def supports(path: str, text: str) -> bool:
    """Whether the font at ``path`` has a glyph for every character of ``text``."""
    return all(_has_glyph(path, ch) for ch in set(text))
