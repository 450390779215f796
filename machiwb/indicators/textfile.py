"""Decoding uploaded text files: UTF-8 (with or without BOM) or Shift_JIS/CP932, detected."""

from __future__ import annotations

import codecs


class DecodeError(ValueError):
    pass


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
            f"{name}: the file is neither UTF-8 nor Shift_JIS (CP932) "
            f"(undecodable byte at offset {exc.start})"
        ) from None
