from django import template

register = template.Library()


@register.filter
def duration_mmss(seconds):
    """{{ call.duration_seconds|duration_mmss }}: 245 -> 4:05, 3723 -> 1:02:03."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
