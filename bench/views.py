"""The benchmark's trivial page: a signed-in page with no content of its own, rendered
through the same middleware, context processors and base template as every page. What a
page costs before it does anything (bench_telesok --http compares telesök with it)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def trivial(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/trivial.html")
