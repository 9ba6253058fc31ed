"""The console's words in the agent's language (gettext): wrap every string an agent reads in `_()`."""

from __future__ import annotations

import gettext

_translation: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """`message` in the interface language (English until catalogs are installed)."""
    return _translation.gettext(message)
