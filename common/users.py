"""The user types of the apps' signatures.

AUTH_USER_MODEL is Django's own User (telefoni does not swap it): it is what a ForeignKey to
settings.AUTH_USER_MODEL holds and what request.user is once signed in. The aliases are
strings so that this module imports nothing of django.contrib.auth: common.roles needs it
while the app registry is still loading (telefoni.admin's AppConfig imports it).
"""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

AnyUser: TypeAlias = "User | AnonymousUser"
"""request.user, signed in or not: what a permission predicate is asked about."""

Actor: TypeAlias = "User | None"
"""Who acts in a service: a signed-in user, or None for the system (a beat job, an import)."""
