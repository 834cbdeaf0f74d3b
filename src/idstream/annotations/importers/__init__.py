"""Importers from foreign annotation formats into the idstream format."""

from idstream.annotations.importers.label_studio import import_label_studio
from idstream.annotations.importers.sroie import import_sroie

__all__ = ["import_label_studio", "import_sroie"]
