"""The application's URLs and the benchmark's trivial signed-in page (bench.settings only:
production's URLconf is telefoni.urls, which has no such page)."""

from django.urls import path

from telefoni.urls import handler500
from telefoni.urls import urlpatterns as application

from . import views

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [
    path("bench/trivial/", views.trivial, name="bench_trivial"),
    *application,
]
