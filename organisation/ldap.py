"""Sign-in through the municipality's directory (LDAP), with telefoni's roles and people.

django-auth-ldap checks the password and keeps the Django user's name, e-mail and the
admin flags (AUTH_LDAP_USER_FLAGS_BY_GROUP) up to date. After that, at every sign-in:

- the role groups (organisation.choices.Role codes) become exactly the roles whose mapped
  directory group (TELEFONI_LDAP_ROLE_GROUPS) the user is in; other Django groups stay.
  With no mapping configured, roles are given by hand in the admin and left alone here;
- the user's Person is created or updated from the directory (TELEFONI_LDAP_PERSON_ATTRS),
  and placed in the unit whose code the directory gives.

Settings come from telefoni.ldap_config; this module imports python-ldap, so only load it
when LDAP_SERVER_URI is set (settings.py does).
"""

import logging

import ldap
import ldap.dn
from django.conf import settings
from django_auth_ldap.backend import LDAPBackend, ldap_error

from .models import Unit
from .services import person_sync_from_directory, user_set_roles

log = logging.getLogger(__name__)

DEFAULT_PERSON_ATTRS = {
    "title": "title",
    "unit_code": "departmentNumber",
    "external_id": "employeeNumber",
}


def normalise_dn(dn):
    """Comparable form of a DN: 'CN=Tele, OU=Groups' and 'cn=tele,ou=groups' are equal."""
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(dn)).lower()
    except ldap.DECODING_ERROR:
        return dn.strip().lower()


def first_value(attrs, name):
    """The first value of an LDAP attribute as stripped text, or '' when there is none."""
    if not name or not attrs:
        return ""
    values = attrs.get(name) or ()
    for value in values:
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if value.strip():
            return value.strip()
    return ""


class TelefoniLDAPBackend(LDAPBackend):
    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        try:
            roles = self.directory_roles(ldap_user)
        except ldap.LDAPError as exc:
            # Roles that cannot be read cannot be trusted: refuse rather than sign in with
            # roles the directory may have taken away (django-auth-ldap does the same when
            # mirroring groups fails).
            log.warning("Reading the directory groups of %s failed: %s", user.username, exc)
            ldap_error.send(
                type(self),
                context="mirror_groups",
                user=user,
                request=getattr(ldap_user, "_request", None),
                exception=exc,
            )
            return None
        if roles is not None:
            user_set_roles(user=user, roles=roles)
        self.sync_person(user=user, ldap_user=ldap_user)
        return user

    def directory_roles(self, ldap_user):
        """The role codes the user's directory groups grant; None when none are mapped."""
        role_groups = getattr(settings, "TELEFONI_LDAP_ROLE_GROUPS", None) or {}
        if not role_groups:
            return None
        member_of = {normalise_dn(dn) for dn in ldap_user.group_dns}
        return {role for role, dn in role_groups.items() if normalise_dn(dn) in member_of}

    def sync_person(self, *, user, ldap_user):
        names = {**DEFAULT_PERSON_ATTRS, **getattr(settings, "TELEFONI_LDAP_PERSON_ATTRS", {})}
        user_attr_map = self.settings.USER_ATTR_MAP
        attrs = ldap_user.attrs
        values = {
            "first_name": first_value(attrs, user_attr_map.get("first_name")),
            "last_name": first_value(attrs, user_attr_map.get("last_name")),
            "email": first_value(attrs, user_attr_map.get("email")),
            "title": first_value(attrs, names["title"]),
            "external_id": first_value(attrs, names["external_id"]),
        }
        unit_code = first_value(attrs, names["unit_code"])
        unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
        if unit is None:
            log.warning(
                "Directory sign-in of %s: %s",
                user.username,
                f"no unit has the code {unit_code!r}" if unit_code else "no unit code given",
            )
        return person_sync_from_directory(user=user, attrs=values, unit=unit)
