"""Every app's English catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

MSGFMT = shutil.which("msgfmt")
CATALOGUES = sorted(Path(settings.BASE_DIR, "machiwb").glob("*/locale/en/LC_MESSAGES/django.po"))


def test_there_are_english_catalogues() -> None:
    assert CATALOGUES


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) not installed")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete_and_compiled(po: Path, tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    assert MSGFMT is not None
    result = subprocess.run(  # noqa: S603 (fixed program, paths from the repository)
        [MSGFMT, "--check", "--statistics", "-o", str(compiled), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    hint = f"{po}: {result.stderr.strip()} — fill every msgstr and drop fuzzy flags"
    assert "untranslated" not in result.stderr, hint
    assert "fuzzy" not in result.stderr, hint
    assert po.with_suffix(".mo").read_bytes() == compiled.read_bytes(), (
        f"{po.with_suffix('.mo')} is stale: run compilemessages in the app folder"
    )


def test_one_message_has_one_english_translation_across_the_apps() -> None:
    """Django merges the apps' catalogues and the first app's translation wins everywhere, so
    a message id meaning two things gets a msgctxt (pgettext, ``context`` in templates)."""
    translations: dict[object, dict[str, list[str]]] = {}
    for po in CATALOGUES:
        with po.with_suffix(".mo").open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for key, english in catalog.items():
            if key:
                translations.setdefault(key, {}).setdefault(english, []).append(po.parts[-5])
    differing = {key: found for key, found in translations.items() if len(found) > 1}
    assert not differing, "\n".join(f"{key!r}: {found}" for key, found in differing.items())
