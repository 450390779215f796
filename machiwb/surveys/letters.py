"""Invitation letters (招待状): one page per code with the survey address and a QR code."""

from __future__ import annotations

import base64


def qr_data_url(text: str) -> str:
    """An SVG QR code of ``text`` as a ``data:`` URL (no file, no network)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def letter_entries(codes: list[str], url: str) -> list[dict[str, str]]:
    """The template entries for ``codes``: the code and a QR code that opens the survey with it."""
    return [{"code": code, "qr": qr_data_url(f"{url}#code={code}")} for code in codes]
