"""save_with_history and mail_on_commit: who acted and why, and mail only after commit."""

import pytest
from django.core import mail
from django.db import transaction

from common.history import REASON_MAX_LENGTH, save_with_history
from common.mail import mail_on_commit
from tests.factories import UnitFactory


@pytest.mark.django_db
def test_the_history_row_names_the_actor_and_the_reason_cut_to_the_column(django_user_model):
    actor = django_user_model.objects.create_user("tk")
    unit = UnitFactory()
    unit.name = "Nytt namn"
    save_with_history(unit, actor=actor, reason="x" * 300)
    latest = unit.history.latest()
    assert latest.name == "Nytt namn"
    assert latest.history_user == actor
    assert latest.history_change_reason == "x" * REASON_MAX_LENGTH


@pytest.mark.django_db(transaction=True)
def test_mail_leaves_after_the_commit_once_per_address_and_never_on_a_rollback():
    with transaction.atomic():
        mail_on_commit(["a@kommun.se", "", "a@kommun.se", "b@kommun.se"], "Ämne", "Text")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@kommun.se", "b@kommun.se"]

    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_on_commit(["a@kommun.se"], "Ämne", "Text")
        raise RuntimeError
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_no_mail_without_an_address():
    with transaction.atomic():
        mail_on_commit(["", None], "Ämne", "Text")
    assert mail.outbox == []
