"""The demo's sign-ins (django.contrib.auth): one account per role and its group."""

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, User

from demo import data
from demo.seed.base import set_changed


def seed_accounts(plan, tally):
    """One sign-in per role of data.ACCOUNTS, password "demo", in the group of its role;
    returns username -> User."""
    groups = {}
    for code in sorted({a.role for a in data.ACCOUNTS if a.role}):
        groups[code], created = Group.objects.get_or_create(name=code)
        if created:
            tally.count("groups", created=True)
    existing = {
        u.username: u
        for u in User.objects.filter(
            username__in=[a.username for a in data.ACCOUNTS]
        ).prefetch_related("groups")
    }
    # Hashing is slow on purpose (hundreds of ms), so the demo accounts share one hash of
    # "demo" and each distinct stored hash is checked once: a second run costs one check.
    verified, shared_hash = {}, None
    users = {}
    for account in data.ACCOUNTS:
        user = existing.get(account.username) or User(username=account.username)
        changed = set_changed(
            user,
            {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": plan.by_id[f"demo-{account.username}"].email,
                "is_active": True,
                "is_staff": account.superuser,
                "is_superuser": account.superuser,
            },
        )
        if user.password not in verified:
            verified[user.password] = bool(user.password) and check_password(
                data.DEMO_PASSWORD, user.password
            )
        if not verified[user.password]:
            shared_hash = shared_hash or make_password(data.DEMO_PASSWORD)
            user.password = shared_hash
            changed = True
        is_new = user.pk is None
        if is_new or changed:
            user.save()
            tally.count("accounts", created=is_new)
        wanted = {groups[account.role]} if account.role else set()
        if is_new or set(user.groups.all()) != wanted:
            user.groups.set(wanted)
        users[account.username] = user
    return users
