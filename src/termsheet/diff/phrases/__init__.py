"""Phrases for the values of terms, one module per language (``en``, ``zh``) over ``base``."""

from __future__ import annotations

from ...agreement.model import Version
from .base import Phrases
from .en import English
from .zh import Chinese

LANGUAGES = {"en": English, "zh": Chinese}


def phrasebook(version: Version, lang: str) -> Phrases:
    """The phrasebook of a language (``en`` or ``zh``) for the values of one version."""
    return LANGUAGES[lang](version)
