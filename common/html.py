"""Small HTML pieces the template filters share."""

from django.utils.html import format_html
from django.utils.safestring import SafeString


def nowrap(text: object) -> SafeString | str:
    """`text` in a <span class="nowrap">, which the stylesheet never breaks across lines
    (a phone number, an amount, a date); "" stays "". The one way the filters that print
    numbers keep them whole at 320 CSS px (WCAG 2.1 1.4.10)."""
    if text is None or text == "":
        return ""
    return format_html('<span class="nowrap">{}</span>', text)
