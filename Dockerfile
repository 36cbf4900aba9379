# Production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gcc libldap2-dev libsasl2-dev gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt requirements-ldap.txt ./
RUN pip install -r requirements.txt -r requirements-ldap.txt

COPY . .
RUN DJANGO_DEBUG=1 python manage.py compilemessages --locale sv --ignore .venv \
    && DJANGO_DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --home /app telefoni \
    && mkdir -p /app/var && chown telefoni /app/var
USER telefoni

EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["gunicorn", "telefoni.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
