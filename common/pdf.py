"""The one WeasyPrint helper: PDFs are templates (STYLE.md)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

STATIC_PREFIX = "file:///static/"


def _static_fetcher() -> Any:
    """A WeasyPrint fetcher that serves /static/... from the project's static files and
    refuses everything else: a PDF never reaches the network (the intranet may have
    none)."""
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 -- WeasyPrint loads pango at import; only a PDF needs it

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.startswith(STATIC_PREFIX):
                path = finders.find(url.removeprefix(STATIC_PREFIX))
                if path:
                    return super().fetch(Path(path).as_uri(), headers)
            raise ValueError(f"PDF resource not allowed: {url}")

    return StaticOnly(allowed_protocols={"file"})


def render_pdf(
    template_name: str, context: Mapping[str, Any], *, pdf_variant: str = "pdf/a-3b"
) -> bytes:
    """Render a template to PDF bytes in the site's language. PDF/A-3b by default, so a
    signed or archived document stays readable (WeasyPrint embeds the fonts)."""
    from weasyprint import HTML  # noqa: PLC0415 -- WeasyPrint loads pango at import; only a PDF needs it

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    document = HTML(string=html, base_url="file:///", url_fetcher=_static_fetcher())
    return document.write_pdf(pdf_variant=pdf_variant)
