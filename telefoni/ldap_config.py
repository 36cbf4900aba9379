"""django-auth-ldap settings built from environment variables.

Kept apart from settings.py so that the LDAP tests build their configuration with the
same code as production, only pointed at the slapd they start.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from common.env import env_secret

# The roles a mapped LDAP group can grant; organisation.choices.Role holds the same codes.
ROLE_CODES = (
    "enhetschef",
    "budgetchef",
    "forvaltningschef",
    "telesamordnare",
    "telekundtjanst",
    "kundtjanst",
    "ksordforande",
    "admin",
)


def parse_role_groups(raw):
    """'role=dn;role=dn' -> {role: dn}. DNs contain commas, so pairs are split on ';'."""
    mapping = {}
    for pair in (raw or "").split(";"):
        pair = pair.strip()
        if not pair:
            continue
        role, sep, dn = pair.partition("=")
        role = role.strip()
        if not sep or not dn.strip():
            raise ImproperlyConfigured(f"LDAP_ROLE_GROUPS: {pair!r} is not role=group-dn")
        if role not in ROLE_CODES:
            raise ImproperlyConfigured(
                f"LDAP_ROLE_GROUPS: unknown role {role!r}; known: {', '.join(ROLE_CODES)}"
            )
        mapping[role] = dn.strip()
    return mapping


def ldap_settings(env):
    """Return the AUTH_LDAP_* settings for an environment mapping (os.environ or a dict)."""
    import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)
    from django_auth_ldap.config import (  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)
        GroupOfNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
        PosixGroupType,
    )

    group_types = {
        "groupOfNames": GroupOfNamesType,
        "posixGroup": PosixGroupType,
        "activeDirectory": NestedActiveDirectoryGroupType,
    }
    group_type_name = env.get("LDAP_GROUP_TYPE", "groupOfNames")
    if group_type_name not in group_types:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE must be one of {', '.join(group_types)}, not {group_type_name!r}"
        )
    user_base = env.get("LDAP_USER_SEARCH_BASE", "")
    group_base = env.get("LDAP_GROUP_SEARCH_BASE", "")
    if not user_base:
        raise ImproperlyConfigured("LDAP_USER_SEARCH_BASE is required when LDAP_SERVER_URI is set")
    role_groups = parse_role_groups(env.get("LDAP_ROLE_GROUPS", ""))
    timeout = int(env.get("LDAP_TIMEOUT", "5"))
    config = {
        "AUTH_LDAP_SERVER_URI": env["LDAP_SERVER_URI"],
        "AUTH_LDAP_BIND_DN": env.get("LDAP_BIND_DN", ""),
        # Or LDAP_BIND_PASSWORD_FILE naming a file that holds it (a Docker secret).
        "AUTH_LDAP_BIND_PASSWORD": env_secret("LDAP_BIND_PASSWORD", environ=env),
        "AUTH_LDAP_START_TLS": env.get("LDAP_START_TLS", "0").lower() in {"1", "true", "yes"},
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,
        },
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            user_base,
            ldap.SCOPE_SUBTREE,
            env.get("LDAP_USER_FILTER", "(uid=%(user)s)"),
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": env.get("LDAP_ATTR_FIRST_NAME", "givenName"),
            "last_name": env.get("LDAP_ATTR_LAST_NAME", "sn"),
            "email": env.get("LDAP_ATTR_EMAIL", "mail"),
        },
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        # Roles are mapped by telefoni itself (organisation.ldap), not mirrored wholesale.
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "TELEFONI_LDAP_ROLE_GROUPS": role_groups,
        "TELEFONI_LDAP_PERSON_ATTRS": {
            "title": env.get("LDAP_ATTR_TITLE", "title"),
            "unit_code": env.get("LDAP_ATTR_UNIT", "departmentNumber"),
            "external_id": env.get("LDAP_ATTR_EMPLOYEE_ID", "employeeNumber"),
        },
    }
    config["TELEFONI_LDAP_LEAVERS"] = leaver_settings(env)
    config["TELEFONI_LDAP_SYNC"] = sync_settings(env)
    if group_base:
        config["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_base, ldap.SCOPE_SUBTREE, env.get("LDAP_GROUP_FILTER", "(objectClass=*)")
        )
        config["AUTH_LDAP_GROUP_TYPE"] = group_types[group_type_name]()
        if "admin" in role_groups:
            config["AUTH_LDAP_USER_FLAGS_BY_GROUP"] = {
                "is_staff": role_groups["admin"],
                "is_superuser": role_groups["admin"],
            }
    elif role_groups:
        raise ImproperlyConfigured("LDAP_ROLE_GROUPS needs LDAP_GROUP_SEARCH_BASE")
    return config


def leaver_settings(env):
    """X-3: how the nightly job finds people who left (organisation.leavers)."""
    user_filter = env.get("LDAP_USER_FILTER", "(uid=%(user)s)")
    named = re.search(r"\(\s*([\w-]+)\s*=\s*%\(user\)s\s*\)", user_filter)
    mode = env.get("LDAP_LEAVERS", "missing")
    if mode not in ("missing", "disabled", "off"):
        raise ImproperlyConfigured("LDAP_LEAVERS must be missing, disabled or off")
    disabled_filter = env.get("LDAP_LEAVERS_DISABLED_FILTER", "")
    if mode == "disabled" and not disabled_filter:
        raise ImproperlyConfigured("LDAP_LEAVERS=disabled needs LDAP_LEAVERS_DISABLED_FILTER")
    return {
        "mode": mode,
        "disabled_filter": disabled_filter,
        "list_filter": env.get("LDAP_LEAVERS_LIST_FILTER", "")
        or user_filter.replace("%(user)s", "*"),
        "username_attr": env.get("LDAP_ATTR_USERNAME", "") or (named.group(1) if named else "uid"),
        "max_count": int(env.get("LDAP_LEAVERS_MAX_COUNT", "5")),
        "max_percent": int(env.get("LDAP_LEAVERS_MAX_PERCENT", "5")),
    }


def sync_settings(env):
    """Issue 17: the nightly directory sync (organisation.directory_sync). An elected
    official (förtroendevald) is an entry matching LDAP_ELECTED_FILTER or a member of the
    group LDAP_ELECTED_GROUP; with neither set, the sync leaves a person's kind alone."""
    page_size = int(env.get("LDAP_SYNC_PAGE_SIZE", "500"))
    if not 1 <= page_size <= 1000:
        raise ImproperlyConfigured("LDAP_SYNC_PAGE_SIZE must be between 1 and 1000")
    return {
        "elected_filter": env.get("LDAP_ELECTED_FILTER", ""),
        "elected_group": env.get("LDAP_ELECTED_GROUP", ""),
        "page_size": page_size,
    }
