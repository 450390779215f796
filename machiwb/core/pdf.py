"""Printable PDFs from Django templates (印刷用PDF), with the Japanese font embedded.

WeasyPrint lays out an HTML template with print CSS; the system font Noto Sans CJK JP is
subset and embedded, so the file prints the same everywhere and its text stays selectable.
Resources are resolved only from this project's static files and ``data:`` URLs: a template
that points at another host gets nothing, and the renderer never reaches the network
(closed-network rule).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

#: Font families for PDF CSS: the embedded Japanese font first.
PDF_FONT_FAMILY = '"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", sans-serif'


class ExternalResourceError(ValueError):
    """A PDF template referenced something outside the project's static files."""


def _static_only_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``data:`` URLs and this project's static files; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = unquote(urlsplit(url).path)
            if path.startswith(settings.STATIC_URL):
                found = finders.find(path[len(settings.STATIC_URL) :])
                if isinstance(found, str):
                    with open(found, "rb") as handle:
                        mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, handle.read(), {"Content-Type": mime})
            raise ExternalResourceError(
                f"PDF resources must be static files of this project: {url}"
            )

    return StaticOnlyFetcher(allowed_protocols={"data", "http"})


def pdf_render(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template to PDF bytes (A4 unless the template's CSS says otherwise)."""
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "pdf_font_family": PDF_FONT_FAMILY})
    document = HTML(string=html, base_url="http://pdf.invalid/", url_fetcher=_static_only_fetcher())
    return bytes(document.write_pdf())


def pdf_render_parts(
    template_name: str,
    contexts: list[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Render the template once per context and join the pages into one PDF.

    Long documents (hundreds of letters) are laid out part by part, so ``progress(done,
    total)`` can report how many parts are finished.
    """
    from weasyprint import HTML

    pages = []
    first = None
    for done, context in enumerate(contexts, start=1):
        html = render_to_string(template_name, {**context, "pdf_font_family": PDF_FONT_FAMILY})
        document = HTML(
            string=html, base_url="http://pdf.invalid/", url_fetcher=_static_only_fetcher()
        ).render()
        first = first or document
        pages.extend(document.pages)
        if progress is not None:
            progress(done, len(contexts))
    if first is None:
        raise ValueError("No parts to render.")
    return bytes(first.copy(pages).write_pdf())


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """An HTTP response that downloads PDF bytes under ``filename``."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
