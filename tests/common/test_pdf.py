"""render_pdf: a template becomes a PDF/A document whose Swedish text reads back."""

import copy

import pytest
from django.conf import settings
from django.test import override_settings

from common.pdf import render_pdf
from tests.services import pdf_metadata, pdf_text


@pytest.fixture
def sample_template(tmp_path):
    folder = tmp_path / "templates" / "pdf"
    folder.mkdir(parents=True)
    (folder / "sample.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}'
        "<h1>Årlig översyn – {{ unit }}</h1><table><tr><td>{{ number }}</td></tr></table>"
        "{% endblock %}",
        encoding="utf-8",
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    with override_settings(TEMPLATES=templates):
        yield "pdf/sample.html"


def test_render_pdf_reads_back_with_swedish_text(sample_template, tmp_path):
    data = render_pdf(sample_template, {"unit": "Hemtjänst Öster", "number": "019-21 10 00"})
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    metadata = pdf_metadata(data, tmp_path)
    assert 'pdfaid:part="3"' in metadata  # PDF/A-3 identification in the XMP metadata
    assert "Årlig översyn – Hemtjänst Öster" in text
    assert "019-21 10 00" in text


def test_render_pdf_fetches_nothing_from_the_network(tmp_path, settings):
    folder = tmp_path / "templates" / "pdf"
    folder.mkdir(parents=True)
    (folder / "remote.html").write_text(
        '<img src="https://example.org/logo.png"><p>Text</p>', encoding="utf-8"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    text = pdf_text(render_pdf("pdf/remote.html", {}), tmp_path)
    assert "Text" in text


def test_the_fetcher_serves_static_files_and_refuses_the_network():
    from common.pdf import _static_fetcher

    fetcher = _static_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/logo.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    response = fetcher.fetch("file:///static/css/telefoni.css")
    try:
        assert b"{" in response.read()
    finally:
        response.close()
