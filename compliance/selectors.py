from .models import Flag


def open_flags_for(person):
    """Open flags the person must act on, newest first, with what the list shows."""
    if person is None:
        return Flag.objects.none()
    return (
        Flag.objects.filter(responsible=person, resolved_at__isnull=True)
        .select_related("unit", "content_type")
        .prefetch_related("content_object")
        .order_by("-opened_at", "pk")
    )
