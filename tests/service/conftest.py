"""Citizen-service helpers to make callbacks, notes and reports for the `world` of
tests/conftest.py.

The `clock` of tests/conftest.py stands at Tuesday 1 December 2026, 11:30 in Stockholm
unless a test moves it (`clock.set(datetime)`); every service read and write asks
absence.workdays.now.
"""

from service import services
from service.choices import Channel
from tests.conftest import local


def take_message(world, *, recorder="kundtjanst", recipient="employee", **kw):
    """A callback recorded by Kundtjänst for Anna (the employee) unless told otherwise."""
    values = {
        "actor": world.people[recorder].user,
        "recipient": world.people[recipient] if isinstance(recipient, str) else recipient,
        "caller_name": "Karin Medborgare",
        "caller_phone": "070-123 45 67",
        "message": "Undrar över beslutet om hemtjänst.",
        "channel": Channel.SMS,
        "passed_on_by_hand": True,
    }
    return services.callback_create(**(values | kw))


def write_note(world, *, author="kundtjanst", unit=None, **kw):
    values = {
        "actor": world.people[author].user,
        "received_at": local(2026, 12, 1, 10, 0),
        "caller": "Sonen till den enskilde",
        "summary": "Berättar att modern inte klarar trappan längre.",
        "case_number": "VOF 2026/123",
        "unit": unit or world.grupp,
    }
    return services.phone_note_create(**(values | kw))


def report_threat(world, *, reporter="employee", **kw):
    person = world.people[reporter]
    values = {
        "actor": person.user,
        "reporter": person,
        "occurred_at": local(2026, 12, 1, 9, 15),
        "what_was_said": "Jag vet var du bor.",
        "caller": "",
        "number_shown": "070-999 88 77",
    }
    return services.threat_report_create(**(values | kw))
