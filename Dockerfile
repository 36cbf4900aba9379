# Production image: gunicorn serves the app; the same image runs the migrations, the
# Celery worker and beat (scripts/entrypoint migrate|web|worker|beat).
# The build steps live in scripts/build-production, which CI also runs on the host
# (scripts/ci-production-shape): change them there, not here.
FROM python:3.11.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHON=python \
    TELEFONI_VAR_DIR=/app/var

# gcc and the LDAP and SASL headers build python-ldap; gettext compiles the catalogue;
# pango, harfbuzz and DejaVu are what WeasyPrint draws PDFs with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gcc libc6-dev libldap2-dev libsasl2-dev gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first (a layer that changes only with the lock files), hashes checked.
COPY requirements.lock requirements-ldap.lock ./
COPY scripts/build-production scripts/
RUN scripts/build-production deps

COPY . .
RUN scripts/build-production app \
    && python -m compileall -q -j 0 /app \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home telefoni \
    && mkdir -p /app/var \
    && chown telefoni:telefoni /app/var

# The code belongs to root and is read-only to the app; only /app/var (beat's schedule)
# is writable.
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["scripts/entrypoint"]
CMD ["web"]
# Each service of docker-compose.yml has its own health check (web, worker, beat).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "telefoni.healthcheck", "web"]
