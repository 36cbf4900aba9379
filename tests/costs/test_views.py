import pytest
from django.urls import reverse

from tests.conftest import EVERYONE
from tests.factories import CostCentreFactory


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_cost_centre_list(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("costs:cost_centre_list"))
    assert response.status_code == status
    if status == 200:
        assert "4100" in response.content.decode()


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_cost_centre_detail(matrix_client, world, who, status):
    response = matrix_client(who).get(world.cost_centre.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert response.context["cost_centre"].budget_manager == world.people["budgetchef"]


def test_unknown_cost_centre_is_404(matrix_client, world):
    assert matrix_client("employee").get("/kostnadsstallen/999999/").status_code == 404


@pytest.mark.parametrize("extra", [1, 3])
def test_cost_centre_list_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, extra
):
    CostCentreFactory.create_batch(extra, unit=world.bibliotek)
    client = matrix_client("budgetchef")
    with django_assert_num_queries(6):
        response = client.get(reverse("costs:cost_centre_list"))
    assert len(response.context["cost_centres"]) == 1 + extra


# --- COST-1: costs, only for those who own them ------------------------------------------

import io  # noqa: E402

from openpyxl import load_workbook  # noqa: E402

from costs.models import UsageImport, UsageRecord  # noqa: E402
from tests.conftest import statuses  # noqa: E402
from tests.costs.conftest import csv_file, row, usage  # noqa: E402
from tests.services import pdf_text  # noqa: E402

COST_VIEWERS = statuses(404, budgetchef=200, forvaltningschef=200, telekundtjanst=200, admin=200)
IMPORTERS = statuses(403, budgetchef=200, telekundtjanst=200, admin=200)


@pytest.fixture
def october(phones):
    usage(phones.anna, "2026-09", domestic=20)
    return [
        usage(phones.anna, "2026-10", domestic="1234.5"),
        usage(phones.bo, "2026-10", premium=29),
    ]


def _costs_url(world, **query):
    url = reverse("costs:cost_centre_costs", args=[world.cost_centre.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("who, status", COST_VIEWERS.items())
def test_cost_overview(matrix_client, world, october, who, status):
    response = matrix_client(who).get(reverse("costs:cost_overview"))
    assert response.status_code == status
    if status == 200:
        assert [m["period"].month for m in response.context["months"]] == [9, 10]
        assert "<svg" in response.content.decode()


@pytest.mark.parametrize("who, status", COST_VIEWERS.items())
def test_cost_centre_costs(matrix_client, world, october, who, status):
    response = matrix_client(who).get(_costs_url(world))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert response.context["period"].month == 10
        assert "1\xa0334,50 kr" in page  # Anna's October, the Swedish way
        assert "070-765 43 21" in page


def test_the_cost_centre_page_links_to_costs_only_for_those_who_see_them(matrix_client, world):
    url = world.cost_centre.get_absolute_url()
    assert matrix_client("budgetchef").get(url).context["can_view_costs"]
    assert not matrix_client("manager").get(url).context["can_view_costs"]


def test_a_forvaltningschef_of_another_forvaltning_sees_no_costs_there(client, world, october):
    from common.roles import Role
    from tests.factories import person_with_user

    other = person_with_user(unit=world.kfv, roles=[Role.FORVALTNINGSCHEF], username="kfv2")
    world.kfv.manager = other
    world.kfv.save()
    client.force_login(other.user)
    assert client.get(_costs_url(world)).status_code == 404
    # Only the library's cost centre, in the förvaltning they head.
    overview = client.get(reverse("costs:cost_overview"))
    assert [cc.code for cc in overview.context["cost_centres"]] == ["7200"]


@pytest.mark.parametrize("extra", [1, 3])
def test_cost_centre_costs_query_count_is_constant(
    matrix_client, world, phones, django_assert_num_queries, extra
):
    from subscriptions import services as subscription_services
    from subscriptions.choices import Kind

    for n in range(extra):
        phone = subscription_services.subscription_create(
            actor=world.people["telekundtjanst"].user,
            kind=Kind.MOBILE,
            number=f"+4670111000{n}",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
        usage(phone, "2026-10", premium=5)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(UsageRecord)  # cached per process, whatever ran before
    client = matrix_client("budgetchef")
    with django_assert_num_queries(12):  # ... and one for the guideline (SUB-5 months)
        response = client.get(_costs_url(world))
    assert len(response.context["records"]) == extra


@pytest.mark.parametrize("who, status", COST_VIEWERS.items())
def test_export_csv(matrix_client, world, october, who, status):
    response = matrix_client(who).get(_costs_url(world, month="2026-10", format="csv"))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode("utf-8-sig")
        assert "070-123 45 67" in text and "1334,50" in text


def test_export_xlsx_and_pdf(matrix_client, world, october, tmp_path):
    client = matrix_client("budgetchef")
    xlsx = client.get(_costs_url(world, month="2026-10", format="xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[1][0] == "070-123 45 67" and float(rows[1][-1]) == 1334.5
    pdf = client.get(_costs_url(world, month="2026-10", format="pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "070-123 45 67" in text and "334,50" in text
    assert client.get(_costs_url(world, month="2026-10", format="doc")).status_code == 404


@pytest.mark.parametrize("who, status", COST_VIEWERS.items())
def test_usage_record_detail(matrix_client, world, october, who, status):
    response = matrix_client(who).get(october[0].get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert response.context["median"] == 120  # September: 100 fee + 20 calls


@pytest.mark.parametrize(
    "who, status",
    statuses(404, budgetchef=302, telekundtjanst=302, admin=302, forvaltningschef=403).items(),
)
def test_explaining_a_month(matrix_client, world, october, who, status):
    record = october[1]
    response = matrix_client(who).post(record.get_absolute_url(), {"reason": "Felringt"})
    assert response.status_code == status
    record.refresh_from_db()
    assert (record.explanation == "Felringt") == (status == 302 and who != "anonymous")


def test_an_explanation_without_a_reason_shows_a_message(matrix_client, world, october):
    response = matrix_client("budgetchef").post(october[1].get_absolute_url(), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert UsageRecord.objects.filter(explained_at__isnull=False).count() == 0


# --- The import pages -------------------------------------------------------------------


@pytest.mark.parametrize("who, status", IMPORTERS.items())
def test_usage_import_list(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("costs:usage_import_list"))
    assert response.status_code == status
    if status == 200:
        assert "Månadsavgift" in response.content.decode()


@pytest.mark.parametrize("who, status", IMPORTERS.items())
def test_uploading_a_file(
    matrix_client, world, phones, who, status, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("okt.csv", csv_file(row("070-123 45 67", "2026-10")))
    with django_capture_on_commit_callbacks():
        response = matrix_client(who).post(reverse("costs:usage_import_list"), {"file": upload})
    expected = 302 if status == 200 else status
    assert response.status_code == expected
    assert UsageImport.objects.count() == (1 if expected == 302 and who != "anonymous" else 0)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(matrix_client, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TELEFONI_IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("stor.csv", b"x" * 101)
    response = matrix_client("telekundtjanst").post(
        reverse("costs:usage_import_list"), {"file": upload}
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not UsageImport.objects.exists()


def test_a_zero_byte_file_is_refused(matrix_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("tom.csv", b"")
    response = matrix_client("telekundtjanst").post(
        reverse("costs:usage_import_list"), {"file": upload}
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not UsageImport.objects.exists()


@pytest.fixture
def rejected_import(world):
    return UsageImport.objects.create(
        file_name="fel.csv",
        content=b"",
        uploaded_by=world.people["budgetchef"].user,
        status="rejected",
        progress=100,
        errors=[{"line": 7, "column": "Data", "reason": "Fel decimaltecken", "value": "1.5"}],
        error_count=1,
    )


@pytest.mark.parametrize(
    "who, status", statuses(404, budgetchef=200, telekundtjanst=200, admin=200).items()
)
def test_usage_import_detail(matrix_client, world, rejected_import, who, status):
    response = matrix_client(who).get(rejected_import.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Fel decimaltecken" in page and "<td>7</td>" in page
        assert "costs-import.js" in page and "<script>" not in page


@pytest.mark.parametrize(
    "who, status", statuses(404, budgetchef=200, telekundtjanst=200, admin=200).items()
)
def test_usage_import_status_json(matrix_client, world, rejected_import, who, status):
    url = reverse("costs:usage_import_status", args=[rejected_import.pk])
    response = matrix_client(who).get(url)
    assert response.status_code == status
    if status == 200:
        assert response.json() | {"status_label": ""} == {
            "status": "rejected",
            "status_label": "",
            "progress": 100,
            "finished": True,
        }


# --- COST-4: the private share for payroll ------------------------------------------------


@pytest.fixture
def shares(phones):
    usage(phones.anna, "2026-10", private_share="35.50")
    usage(phones.fixed, "2026-10", private_share="4.50")  # Anna's too: summed
    usage(phones.bo, "2026-10")
    usage(phones.bo, "2026-09", private_share=99)


@pytest.mark.parametrize("who, status", statuses(404, telekundtjanst=200, admin=200).items())
def test_private_share_export(matrix_client, world, shares, who, status):
    url = reverse("costs:private_share_export") + "?month=2026-10"
    response = matrix_client(who).get(url)
    assert response.status_code == status
    if status == 200:
        [row] = response.context["rows"]
        assert row["subscription__holder__last_name"] == "Östlund"
        assert row["private_share"] == 40


def test_private_share_export_files(matrix_client, world, shares):
    client = matrix_client("telekundtjanst")
    url = reverse("costs:private_share_export") + "?month=2026-10&format="
    text = client.get(url + "csv").content.decode("utf-8-sig")
    assert "Östlund, Anna;2026-10;40,00" in text
    sheet = load_workbook(io.BytesIO(client.get(url + "xlsx").content)).active
    assert list(sheet.values)[1][1:] == ("Östlund, Anna", "2026-10", 40)
    assert client.get(url + "pdf").status_code == 404


from datetime import date  # noqa: E402

from subscriptions.models import Subscription  # noqa: E402

# BAR-2 (issue 19.8): the cost page links "Ändra spärrar" on the rows whose barring form
# opens for the viewer (devices' own predicate); the other cost viewers see no link.
BARRING_LINKED = {who: who == "budgetchef" for who, status in COST_VIEWERS.items() if status == 200}


@pytest.mark.parametrize("who, linked", BARRING_LINKED.items())
def test_bar_2_cost_rows_link_change_barring_for_those_who_may(
    matrix_client, world, phones, october, who, linked
):
    # Three imported months and a fixed phone older than them with no traffic (SUB-5).
    usage(phones.anna, "2026-08", domestic=10)
    Subscription.objects.filter(pk=phones.fixed.pk).update(activated_on=date(2025, 1, 1))
    client = matrix_client(who)
    response = client.get(_costs_url(world))
    body = response.content.decode()
    link = reverse("devices:barring", args=[phones.anna.pk])
    assert (link in body) == linked
    assert (reverse("devices:barring", args=[phones.bo.pk]) in body) == linked
    assert [r.can_change_barring for r in response.context["records"]] == [linked, linked]
    # SUB-5: the cancellation candidates (no traffic) carry the same link.
    assert phones.fixed in response.context["unused"]
    assert (reverse("devices:barring", args=[phones.fixed.pk]) in body) == linked
    barring = client.get(link)
    assert (barring.status_code == 200 and barring.context["form"] is not None) == linked


def test_bar_2_no_link_on_a_row_of_a_phone_since_moved_to_another_cost_centre(
    matrix_client, world, phones, october
):
    """The row stays on the month it was billed to; its barring is now the other budget
    manager's, so the link goes with the phone."""
    phones.anna.cost_centre = phones.other_centre
    phones.anna.save()
    body = matrix_client("budgetchef").get(_costs_url(world)).content.decode()
    assert reverse("devices:barring", args=[phones.bo.pk]) in body
    assert reverse("devices:barring", args=[phones.anna.pk]) not in body
