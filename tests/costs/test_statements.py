"""COST-3: itemised statements (specificerat utdrag). The budget-responsible manager asks
on special grounds, Tele kundtjänst approves with the operator's call list or refuses, only
the requester sees the content, for the guideline's statement_visible_days, every view and
download is in an append-only access log, and call detail goes after its retention time."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone, translation

from common.roles import Role
from costs import services
from costs.importer import ImportRejected
from costs.models import AppendOnlyError, CallDetail, StatementAccess, StatementRequest
from tests.conftest import statuses
from tests.factories import CostCentreFactory, person_with_user
from tests.services import pdf_metadata, pdf_text, require_postgresql

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
MONTH = f"{LAST_MONTH:%Y-%m}"

CALLS = (
    "Datum;Tid;Nummer;Längd;Kostnad\n"
    f"{MONTH}-03;14:22;070-765 43 21;4:05;1,25\n"
    f"{MONTH}-04;09:01:30;118 118;65;29,00\n"
    f"{MONTH}-17;18:40;0046 8 123 456 78;1:02:03;1 245,50\n"
).encode()
PDF = b"%PDF-1.4\n% the operator's own statement\n%%EOF\n"


def sv(function, *args, **kwargs):
    with translation.override("sv"):
        return function(*args, **kwargs)


@pytest.fixture
def requester(world):
    return world.people["budgetchef"].user


@pytest.fixture
def pending(phones, requester, django_capture_on_commit_callbacks):
    # Committed, as in a request: its e-mail to Tele kundtjänst leaves the outbox here,
    # so a test reads only the mail of what it does itself.
    with django_capture_on_commit_callbacks(execute=True):
        statement = services.statement_request_create(
            actor=requester,
            subscription=phones.anna,
            period=LAST_MONTH,
            grounds="Misstänkt obehörig användning av telefonen.",
        )
    mail.outbox.clear()
    return statement


@pytest.fixture
def approved(pending, desk):
    return services.statement_approve(
        actor=desk, statement=pending, file_name="samtal.csv", content=CALLS
    )


def _url(name, *args):
    return reverse(f"costs:{name}", args=args)


# --- Requesting -------------------------------------------------------------------------


def test_cost_3_a_request_records_the_grounds_and_tells_tele_kundtjanst(
    phones, requester, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statement = services.statement_request_create(
            actor=requester,
            subscription=phones.anna,
            period=LAST_MONTH.replace(day=17),
            grounds="  Misstänkt missbruk  ",
        )
    statement.refresh_from_db()
    assert statement.status == "pending" and statement.grounds == "Misstänkt missbruk"
    assert statement.period == LAST_MONTH and statement.cost_centre == phones.anna.cost_centre
    assert [m.to for m in mail.outbox] == [[settings.TELEFONI_SERVICE_DESK_EMAIL]]
    # costs/email/statement*.txt, in Swedish, with the link to the request.
    [message] = mail.outbox
    assert message.subject == f"Specificerat utdrag begärt: {statement}"
    assert message.body == (
        f"{statement} har begärts av särskilda skäl. Godkänn med operatörens samtalslista, "
        f"eller avslå med ett skäl:\n\nhttps://telefoni.test{statement.get_absolute_url()}\n"
    )
    assert statement.history.first().history_change_reason == "Misstänkt missbruk"


def test_cost_3_grounds_are_required_with_a_swedish_message(phones, requester):
    with pytest.raises(ValidationError) as caught:
        sv(
            services.statement_request_create,
            actor=requester,
            subscription=phones.anna,
            period=LAST_MONTH,
            grounds="   ",
        )
    assert "särskilda skäl" in caught.value.message_dict["grounds"][0]
    assert not StatementRequest.objects.exists()


def test_cost_3_only_the_budget_manager_of_the_phones_cost_centre_may_ask(world, phones):
    other = person_with_user(unit=world.bibliotek, roles=[Role.BUDGETCHEF], username="bc2")
    CostCentreFactory(code="7300", unit=world.bibliotek, budget_manager=other)
    for user in (other.user, world.people["forvaltningschef"].user, world.people["manager"].user):
        with pytest.raises(PermissionDenied):
            services.statement_request_create(
                actor=user, subscription=phones.anna, period=LAST_MONTH, grounds="Skäl"
            )
    assert not StatementRequest.objects.exists()


def test_cost_3_a_month_that_has_not_begun_cannot_be_asked_for(phones, requester):
    next_month = (TODAY.replace(day=28) + timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError) as caught:
        services.statement_request_create(
            actor=requester, subscription=phones.anna, period=next_month, grounds="Skäl"
        )
    assert "period" in caught.value.message_dict


CREATE = statuses(403, budgetchef=200)


@pytest.mark.parametrize("who, status", CREATE.items())
def test_cost_3_request_form(matrix_client, phones, who, status):
    response = matrix_client(who).get(_url("statement_create") + f"?subscription={phones.anna.pk}")
    assert response.status_code == status
    if status == 200:
        choices = list(response.context["form"].fields["subscription"].queryset)
        # Only the phones of the budget manager's own cost centre, not the library's.
        assert phones.anna in choices and phones.library not in choices


def test_cost_3_request_form_posts_and_refuses_empty_grounds(matrix_client, phones):
    client = matrix_client("budgetchef")
    data = {"subscription": phones.anna.pk, "period": MONTH, "grounds": ""}
    response = client.post(_url("statement_create"), data, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert "särskilda skäl" in response.content.decode()
    assert not StatementRequest.objects.exists()
    # Another cost centre's phone is not a valid choice.
    data = {"subscription": phones.library.pk, "period": MONTH, "grounds": "Skäl"}
    assert client.post(_url("statement_create"), data).status_code == 200
    assert not StatementRequest.objects.exists()
    data = {"subscription": phones.anna.pk, "period": MONTH, "grounds": "Misstänkt missbruk"}
    response = client.post(_url("statement_create"), data)
    statement = StatementRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == statement.get_absolute_url()


# --- Deciding -----------------------------------------------------------------------------


def test_cost_3_approval_imports_the_call_list_and_emails_the_requester(
    pending, desk, requester, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statement = services.statement_approve(
            actor=desk, statement=pending, file_name="samtal.csv", content=CALLS
        )
    assert statement.status == "approved" and statement.call_count == 3
    calls = list(CallDetail.objects.filter(statement=statement).order_by("called_at"))
    assert [c.called_number for c in calls] == [
        "+46707654321",
        "118118",
        "+46812345678",
    ]
    assert [c.duration_seconds for c in calls] == [245, 65, 3723]
    assert [str(c.cost) for c in calls] == ["1.25", "29.00", "1245.50"]
    assert timezone.localtime(calls[0].called_at).strftime("%H:%M") == "14:22"
    [message] = mail.outbox
    assert message.to == [requester.email or requester.person.email]
    assert message.subject.startswith("Specificerat utdrag godkänt: ")
    assert "Du kan se utdraget i 30 dagar; varje visning loggas:" in message.body


@pytest.mark.parametrize(
    "content, column, reason",
    [
        (
            b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n{m}-03;14:22;070-1;4:05;1,25\n",
            "Nummer",
            "telefonnummer",
        ),
        (
            b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n{m}-03;14:22;0701234567;4:05;1.25\n",
            "Kostnad",
            "decimal",
        ),
        (
            b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n2020-01-03;14:22;0701234567;4:05;1,25\n",
            "Datum",
            "månad",
        ),
        (
            b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n{m}-03;25:22;0701234567;4:05;1,25\n",
            "Tid",
            "klockslag",
        ),
        (
            b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n{m}-03;14:22;0701234567;4:75;1,25\n",
            "Längd",
            "tidslängd",
        ),
        (
            b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n{m}-03;14:22;0701234567;4:05;-1,25\n",
            "Kostnad",
            "egativ",
        ),
    ],
)
def test_cost_3_one_bad_call_rejects_the_whole_list(pending, desk, content, column, reason):
    good = f"{MONTH}-02;08:00;0701234567;10;0,50\n".encode()
    content = content.replace(b"{m}", MONTH.encode()) + good
    with pytest.raises(ImportRejected) as caught:
        sv(
            services.statement_approve,
            actor=desk,
            statement=pending,
            file_name="x.csv",
            content=content,
        )
    [error] = caught.value.errors
    assert error["line"] == 2 and error["column"] == column and reason in error["reason"]
    pending.refresh_from_db()
    assert pending.status == "pending" and not CallDetail.objects.exists()


def test_cost_3_another_layout_or_an_empty_list_is_refused(pending, desk):
    for content in (
        b"",
        b"Datum;Nummer\n2026-10-01;070\n",
        b"Datum;Tid;Nummer;L\xc3\xa4ngd;Kostnad\n",
    ):
        with pytest.raises(ImportRejected):
            services.statement_approve(
                actor=desk, statement=pending, file_name="x.csv", content=content
            )
    assert StatementRequest.objects.get().status == "pending"


def test_cost_3_the_operators_pdf_may_be_attached_instead(pending, desk):
    statement = services.statement_approve(
        actor=desk, statement=pending, file_name="operator.pdf", content=PDF
    )
    statement.refresh_from_db()
    assert bytes(statement.operator_pdf) == PDF and statement.operator_pdf_name == "operator.pdf"
    assert not CallDetail.objects.exists()


def test_cost_3_a_decided_request_cannot_be_decided_again(approved, desk):
    with pytest.raises(ValidationError):
        services.statement_refuse(actor=desk, statement=approved, reason="Nej")
    with pytest.raises(ValidationError):
        services.statement_approve(actor=desk, statement=approved, file_name="x", content=CALLS)
    assert CallDetail.objects.count() == 3


def test_cost_3_refusal_needs_a_reason_and_emails_it(
    pending, desk, requester, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.statement_refuse(actor=desk, statement=pending, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_refuse(actor=desk, statement=pending, reason="Skälen räcker inte.")
    pending.refresh_from_db()
    assert pending.status == "refused" and pending.decided_by == desk
    [message] = mail.outbox
    assert message.subject.startswith("Specificerat utdrag avslaget: ")
    assert "är avslagen: Skälen räcker inte.\n\nhttps://telefoni.test/" in message.body


def test_cost_3_only_tele_kundtjanst_decides(pending, requester):
    with pytest.raises(PermissionDenied):
        services.statement_refuse(actor=requester, statement=pending, reason="Nej")
    with pytest.raises(PermissionDenied):
        services.statement_approve(actor=requester, statement=pending, file_name="x", content=CALLS)


# The systemadministratör reads no itemised statement, nor its request (issue 16.4).
DECIDERS = statuses(404, budgetchef=403, telekundtjanst=302)


@pytest.mark.parametrize("who, status", DECIDERS.items())
def test_cost_3_approve_view(matrix_client, pending, who, status):
    upload = SimpleUploadedFile("samtal.csv", CALLS)
    response = matrix_client(who).post(_url("statement_approve", pending.pk), {"file": upload})
    assert response.status_code == status
    pending.refresh_from_db()
    assert (pending.status == "approved") == (status == 302 and who != "anonymous")
    assert CallDetail.objects.count() == (3 if pending.status == "approved" else 0)


@pytest.mark.parametrize("who, status", DECIDERS.items())
def test_cost_3_refuse_view(matrix_client, pending, who, status):
    response = matrix_client(who).post(_url("statement_refuse", pending.pk), {"reason": "Nej."})
    assert response.status_code == status
    pending.refresh_from_db()
    assert (pending.status == "refused") == (status == 302 and who != "anonymous")


def test_cost_3_a_bad_call_list_is_shown_row_by_row(matrix_client, pending):
    bad = CALLS + f"{MONTH}-05;10:00;070-12;1;1.5\n".encode()
    upload = SimpleUploadedFile("samtal.csv", bad)
    response = matrix_client("telekundtjanst").post(
        _url("statement_approve", pending.pk), {"file": upload}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<td>5</td>" in page and "Kostnad" in page
    pending.refresh_from_db()
    assert pending.status == "pending" and not CallDetail.objects.exists()


# --- Who sees what --------------------------------------------------------------------------

SEES_REQUEST = statuses(404, budgetchef=200, telekundtjanst=200)


@pytest.mark.parametrize("who, status", SEES_REQUEST.items())
def test_cost_3_statement_list(matrix_client, pending, who, status):
    response = matrix_client(who).get(_url("statement_list"))
    assert response.status_code == status
    if status == 200:
        assert list(response.context["statements"]) == [pending]


@pytest.mark.parametrize("who, status", SEES_REQUEST.items())
def test_cost_3_pending_request_detail(matrix_client, pending, who, status):
    response = matrix_client(who).get(pending.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert "Misstänkt obehörig användning" in response.content.decode()
        assert (response.context["approve_form"] is not None) == (who != "budgetchef")
    assert not StatementAccess.objects.exists()


@pytest.mark.parametrize("who, status", SEES_REQUEST.items())
def test_cost_3_only_the_requester_sees_the_calls_and_each_view_is_logged(
    matrix_client, approved, who, status
):
    response = matrix_client(who).get(approved.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == status
    page = response.content.decode() if status == 200 else ""
    sees_calls = who == "budgetchef"
    assert ("070-765 43 21" in page) == sees_calls
    assert (response.context["calls"] is not None if status == 200 else False) == sees_calls
    log = list(StatementAccess.objects.values_list("user__username", "action", "ip_address"))
    assert log == ([("budget", "view", "10.1.2.3")] if sees_calls else [])


def test_cost_3_another_budget_manager_sees_nothing(client, world, approved):
    other = person_with_user(unit=world.bibliotek, roles=[Role.BUDGETCHEF], username="bc2")
    CostCentreFactory(code="7300", unit=world.bibliotek, budget_manager=other)
    client.force_login(other.user)
    assert client.get(approved.get_absolute_url()).status_code == 404
    assert client.get(_url("statement_pdf", approved.pk)).status_code == 404
    assert list(client.get(_url("statement_list")).context["statements"]) == []
    assert not StatementAccess.objects.exists()


CONTENT = statuses(404, budgetchef=200, telekundtjanst=403)


@pytest.mark.parametrize("who, status", CONTENT.items())
def test_cost_3_x_4_statement_pdf_is_pdf_a_for_the_requester_only(
    matrix_client, approved, who, status, tmp_path
):
    response = matrix_client(who).get(_url("statement_pdf", approved.pk))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content, tmp_path)
        assert "070-765 43 21" in text and "1 245,50" in text.replace("\xa0", " ")
        assert "Misstänkt obehörig användning" in text
        metadata = pdf_metadata(response.content, tmp_path)
        assert 'pdfaid:part="3"' in metadata
    expected = [("budget", "pdf")] if status == 200 else []
    assert list(StatementAccess.objects.values_list("user__username", "action")) == expected


@pytest.mark.parametrize("who, status", CONTENT.items())
def test_cost_3_operator_pdf_download(matrix_client, pending, desk, who, status):
    services.statement_approve(actor=desk, statement=pending, file_name="op.pdf", content=PDF)
    response = matrix_client(who).get(_url("statement_operator_pdf", pending.pk))
    assert response.status_code == status
    if status == 200:
        assert response.content == PDF
    expected = [("budget", "operator_pdf")] if status == 200 else []
    assert list(StatementAccess.objects.values_list("user__username", "action")) == expected


def test_cost_3_no_content_before_approval(matrix_client, pending):
    client = matrix_client("budgetchef")
    assert client.get(_url("statement_pdf", pending.pk)).status_code == 404
    assert client.get(_url("statement_operator_pdf", pending.pk)).status_code == 404


def test_cost_3_after_the_visible_days_the_statement_is_gone_with_a_swedish_explanation(
    matrix_client, approved, set_guideline
):
    set_guideline(statement_visible_days=5)
    client = matrix_client("budgetchef")
    StatementRequest.objects.filter(pk=approved.pk).update(
        decided_at=timezone.now() - timedelta(days=4, hours=23)
    )
    assert client.get(approved.get_absolute_url()).status_code == 200
    StatementRequest.objects.filter(pk=approved.pk).update(
        decided_at=timezone.now() - timedelta(days=5, minutes=1)
    )
    for url in (approved.get_absolute_url(), _url("statement_pdf", approved.pk)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
        assert response.status_code == 410
        page = response.content.decode()
        assert "inte längre tillgängligt" in page and "5 dagar" in page
        assert "070-765 43 21" not in page
    # Only the one view while it was visible is logged.
    assert StatementAccess.objects.count() == 1
    # Tele kundtjänst still sees the request (not its content).
    assert matrix_client("telekundtjanst").get(approved.get_absolute_url()).status_code == 200


# --- The access log -------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", statuses(404, telekundtjanst=200).items())
def test_cost_3_access_log_page(matrix_client, world, approved, who, status):
    services.statement_log_access(
        actor=world.people["budgetchef"].user,
        statement=approved,
        action="view",
        ip_address="10.0.0.9",
    )
    response = matrix_client(who).get(_url("statement_access_log"))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "10.0.0.9" in page and "budget" in page


def test_cost_3_access_log_filters(matrix_client, world, approved):
    budget = world.people["budgetchef"].user
    services.statement_log_access(actor=budget, statement=approved, action="view")
    services.statement_log_access(actor=budget, statement=approved, action="pdf")
    client = matrix_client("telekundtjanst")
    url = _url("statement_access_log")
    assert len(client.get(url).context["accesses"]) == 2
    assert [a.action for a in client.get(url + "?action=pdf").context["accesses"]] == ["pdf"]
    assert len(client.get(url + "?user=budg").context["accesses"]) == 2
    assert len(client.get(url + "?user=tele").context["accesses"]) == 0
    assert len(client.get(url + f"?statement={approved.pk + 1}").context["accesses"]) == 0
    tomorrow = TODAY + timedelta(days=1)
    assert len(client.get(url + f"?since={tomorrow}").context["accesses"]) == 0
    assert len(client.get(url + f"?until={TODAY}").context["accesses"]) == 2


@pytest.mark.parametrize("extra", [1, 3])
def test_cost_3_access_log_query_count_is_constant(
    matrix_client, world, phones, desk, requester, django_assert_num_queries, extra
):
    for n in range(extra):
        statement = services.statement_request_create(
            actor=requester, subscription=phones.anna, period=LAST_MONTH, grounds=f"Skäl {n}"
        )
        services.statement_approve(actor=desk, statement=statement, file_name="x", content=CALLS)
        services.statement_log_access(actor=requester, statement=statement, action="view")
    client = matrix_client("telekundtjanst")
    with django_assert_num_queries(6):
        response = client.get(_url("statement_access_log"))
    assert len(response.context["accesses"]) == extra


@pytest.mark.parametrize("extra", [1, 3])
def test_cost_3_statement_list_query_count_is_constant(
    matrix_client, world, phones, requester, django_assert_num_queries, extra
):
    for n in range(extra):
        services.statement_request_create(
            actor=requester, subscription=phones.bo, period=LAST_MONTH, grounds=f"Skäl {n}"
        )
    client = matrix_client("budgetchef")
    with django_assert_num_queries(7):
        response = client.get(_url("statement_list"))
    assert len(response.context["statements"]) == extra


def test_cost_3_the_access_log_is_append_only(world, approved):
    access = services.statement_log_access(
        actor=world.people["budgetchef"].user, statement=approved, action="view"
    )
    access.action = "pdf"
    with pytest.raises(AppendOnlyError):
        access.save()
    with pytest.raises(AppendOnlyError):
        access.delete()
    assert StatementAccess.objects.get().action == "view"


def test_cost_3_postgresql_refuses_update_and_delete_of_the_access_log(world, approved):
    require_postgresql()
    services.statement_log_access(
        actor=world.people["budgetchef"].user, statement=approved, action="view"
    )
    for statement in (
        "UPDATE costs_statementaccess SET action = 'pdf'",
        "DELETE FROM costs_statementaccess",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    with pytest.raises(DatabaseError), transaction.atomic():
        StatementAccess.objects.all().update(action="pdf")
    assert list(StatementAccess.objects.values_list("action", flat=True)) == ["view"]


# --- Retention ------------------------------------------------------------------------------


def test_cost_3_call_detail_is_deleted_after_the_retention_time_once(
    approved, pending, set_guideline, matrix_client
):
    set_guideline(call_detail_retention_days=10)
    assert services.purge_call_details(now=timezone.now() + timedelta(days=9)) == 0
    assert CallDetail.objects.count() == 3
    later = timezone.now() + timedelta(days=11)
    assert services.purge_call_details(now=later) == 1
    assert not CallDetail.objects.exists()
    approved.refresh_from_db()
    assert approved.content_deleted_at == later and approved.call_count == 0
    assert services.purge_call_details(now=later) == 0  # the second run changes nothing
    # The request and its grounds stay; the requester is told the content is gone.
    response = matrix_client("budgetchef").get(approved.get_absolute_url())
    assert response.status_code == 410


def test_cost_3_retention_also_removes_the_operators_pdf(pending, desk, set_guideline):
    set_guideline(call_detail_retention_days=1)
    services.statement_approve(actor=desk, statement=pending, file_name="op.pdf", content=PDF)
    assert services.purge_call_details(now=timezone.now() + timedelta(days=2)) == 1
    pending.refresh_from_db()
    assert bytes(pending.operator_pdf) == b"" and pending.content_deleted_at is not None


def test_cost_3_retention_task_with_nothing_to_purge(db):
    from costs import tasks

    assert tasks.purge_call_details() == 0


def test_cost_3_retention_is_in_the_beat_schedule():
    from telefoni.celery import app

    app.finalize()
    app.loader.import_default_modules()
    in_beat = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"costs.tasks.purge_call_details", "costs.tasks.sweep_costs"} <= in_beat
    assert "costs.tasks.purge_call_details" in app.tasks
