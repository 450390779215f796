"""Text in the active language (表示言語): catalog names carry a Japanese and an English form."""

from __future__ import annotations

from django.utils.translation import get_language


def english_active() -> bool:
    """Whether the page is being shown in English (Japanese is the default)."""
    return (get_language() or "ja").startswith("en")


def in_active_language(ja: str, en: str) -> str:
    """The English form when English is active and there is one, otherwise the Japanese form.

    Open data never calls this: files and the API carry both forms in their own columns."""
    return en if en and english_active() else ja
