"""Role codes and the role predicates every app shares.

A role is a Django group named by its code (mapped from LDAP groups by LDAP_ROLE_GROUPS).
Roles alone grant nothing where the guideline ties a duty to a place: the scope (own unit,
own förvaltning, own cost centres) comes from the organisation, in each app's
permissions.py. These predicates are the role-only questions, asked one way everywhere.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.users import AnyUser


class Role(models.TextChoices):
    """The roles of REQUIREMENTS.md; codes equal Django group names and LDAP_ROLE_GROUPS keys."""

    ENHETSCHEF = "enhetschef", _("Unit manager")
    BUDGETCHEF = "budgetchef", _("Budget-responsible manager")
    FORVALTNINGSCHEF = "forvaltningschef", _("Head of administration")
    TELESAMORDNARE = "telesamordnare", _("Telephony coordinator")
    TELEKUNDTJANST = "telekundtjanst", _("Telephony service desk")
    KUNDTJANST = "kundtjanst", _("Citizen contact centre")
    KSORDFORANDE = "ksordforande", _("Chair of the municipal executive board")
    ADMIN = "admin", _("System administrator")


ROLE_CODES = frozenset(Role.values)


def roles_of(user: AnyUser) -> frozenset[str]:
    """The role codes of a signed-in user (cached on the user object for the request); a
    superuser also has the systemadministratör role. Every signed-in user is an anställd,
    which needs no code."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_telefoni_roles", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}
        cached = frozenset(names & ROLE_CODES)
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._telefoni_roles = cached  # type: ignore[union-attr]  # a per-request cache
    return cached


def has_role(user: AnyUser, role: str) -> bool:
    return role in roles_of(user)


def is_service_desk(user: AnyUser) -> bool:
    """Tele kundtjänst, and only Tele kundtjänst."""
    return Role.TELEKUNDTJANST in roles_of(user)


def is_admin(user: AnyUser) -> bool:
    """The systemadministratör (the role, or a Django superuser): runs the Django admin
    and the settings; is not Tele kundtjänst."""
    return Role.ADMIN in roles_of(user)


def is_service_desk_or_admin(user: AnyUser) -> bool:
    """Tele kundtjänst or the systemadministratör: the municipality-wide administration
    both run (units, the catalogue, cost and device overviews, the dashboard, the review's
    progress), where a protected identity still reads "Skyddad identitet" for the admin.

    Never for a secret (issue 16.4): PIN/PUK, itemised statements and their requests,
    threat reports, the change-request queue and entry edits and history, and protected
    identities (organisation.permissions.in_identity_circle) ask is_service_desk. A new
    duty names the roles it means; prefer is_service_desk where the guideline says Tele
    kundtjänst."""
    roles = roles_of(user)
    return Role.TELEKUNDTJANST in roles or Role.ADMIN in roles
