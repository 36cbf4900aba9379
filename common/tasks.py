"""Starting a Celery task from a service."""

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, **kwargs: object) -> None:
    """Queue the task registered as `task_name` with keyword arguments `kwargs` once the
    transaction commits (nothing is queued on a rollback).

    By name, so a service never imports its own app's tasks module (tasks are thin
    wrappers that import the services: the import would be a circle)."""
    transaction.on_commit(lambda: current_app.signature(task_name, kwargs=kwargs).apply_async())
