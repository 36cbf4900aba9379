"""Heartbeats of background processes, kept in the database every node shares."""

from django.utils import timezone

from .models import Heartbeat


def record(name, *, at=None):
    """Write that `name` is alive now (one UPSERT)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": at or timezone.now()})


def age(name, *, now=None):
    """Seconds since `name` last beat, or None when it never has."""
    beat_at = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    if beat_at is None:
        return None
    return max(0.0, ((now or timezone.now()) - beat_at).total_seconds())
