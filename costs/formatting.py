"""Amounts the Swedish way (1 234,50 kr) through Django's own localisation."""

from django.utils import formats


def kronor(value):
    return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} kr"
