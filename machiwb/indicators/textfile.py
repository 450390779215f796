"""Decoding uploaded text files: UTF-8 (with or without BOM) or Shift_JIS/CP932, detected."""

from __future__ import annotations

import codecs

from django.utils.translation import gettext_noop

from machiwb.jobs.messages import Text


class DecodeError(ValueError):
    """The file cannot be decoded; ``text`` says why, translated when shown."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(str(text))


def decode_text(data: bytes, *, name: str) -> tuple[str, str]:
    """Return the text and the encoding found; Excel's CP932 files are accepted as they are."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            Text.of(
                gettext_noop(
                    "%(file)s：文字コードが UTF-8 でも Shift_JIS（CP932）でもありません"
                    "（位置 %(offset)d のバイトを読めません）。"
                ),
                file=name,
                offset=exc.start,
            )
        ) from None
