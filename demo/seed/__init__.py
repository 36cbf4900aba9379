"""The steps of `manage.py seed_demo`, one module for each app it fills.

plan.py computes the whole municipality of demo/data.py as plain data, touching no
database; the command then runs, in one transaction and in this order:
accounts.seed_accounts, organisation.seed_organisation (units, people, managers,
telesamordnare, cost centres), subscriptions.seed_subscriptions, absence.seed_absence,
review.seed_review, devices.seed_devices, costs.seed_costs, service.seed_service and
voicemail.seed_voicemail; report.report prints what it built.

Every step is idempotent. The register (accounts, units, people, cost centres,
subscriptions) is found by its keys (username, unit code, external id "demo-...", cost
centre code, number among the subscriptions not cancelled) and a row is saved only when
one of its values differs; the duties built on it (absence, review, devices, costs,
service, voicemail) are added through their apps' services only when they are not there
yet. So a second run writes no row and no history row.
"""
