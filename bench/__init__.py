"""Benchmarks: development only, above every other app (they build throwaway data in
every app's tables). Installed when DJANGO_DEBUG is on or TELEFONI_BENCH=1, so a
production deployment has no bench_* command. See docs/benchmarks.md."""
