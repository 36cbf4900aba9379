"""The register import's pages (issue 17.4): Tele kundtjänst only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from register import services
from register.models import RegisterImport
from subscriptions.models import Subscription
from tests.conftest import statuses

from .conftest import files, subscription

# Tele kundtjänst alone; the systemadministratör runs the Django admin, not the register.
DESK_ONLY = statuses(403, telekundtjanst=200)


@pytest.fixture
def rejected(world):
    return RegisterImport.objects.create(
        uploaded_by=world.people["telekundtjanst"].user,
        status="rejected",
        progress=100,
        errors=[
            {
                "sheet": "abonnemang.csv",
                "line": 7,
                "column": "Enhetskod",
                "value": "XYZ",
                "reason": "Ingen enhet har den här organisationskoden.",
            }
        ],
        error_count=1,
    )


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_the_upload_page(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("register:import_list"))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "Importera dagens register" in text and "Öppet nummerupplysning" in text


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_the_report_page(matrix_client, rejected, who, status):
    response = matrix_client(who).get(reverse("register:import_detail", args=[rejected.pk]))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "Ingen enhet har den här organisationskoden." in text and "abonnemang.csv" in text


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_the_status_poll(matrix_client, rejected, who, status):
    response = matrix_client(who).get(reverse("register:import_status", args=[rejected.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.json() == {
            "status": "rejected",
            "status_label": "Avslagen",
            "progress": 100,
            "finished": True,
        }


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_a_sample_file(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("register:sample", args=["abonnemang.csv"]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"Nummer;Anknytning;Typ")


def test_an_unknown_sample_or_import_is_not_found(matrix_client, world):
    client = matrix_client("telekundtjanst")
    assert client.get(reverse("register:sample", args=["settings.py"])).status_code == 404
    assert client.get(reverse("register:import_detail", args=[999])).status_code == 404


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_uploading_files(matrix_client, reg, who, status, django_capture_on_commit_callbacks):
    ((name, content),) = files(subscriptions=[subscription("070-123 45 67", "E1004", kind="mobil")])
    upload = SimpleUploadedFile(name, content)
    with django_capture_on_commit_callbacks() as callbacks:
        response = matrix_client(who).post(
            reverse("register:import_list"), {"register_files": [upload]}
        )
    expected = 302 if status == 200 else status
    assert response.status_code == expected
    uploaded = expected == 302 and who != "anonymous"
    assert RegisterImport.objects.count() == (1 if uploaded else 0)
    assert len(callbacks) == (
        1 if uploaded else 0
    )  # the task, queued after commit  # the task, queued after commit


def test_the_task_imports_an_upload_and_the_page_shows_the_summary(matrix_client, reg, desk):
    upload = files(subscriptions=[subscription("070-123 45 67", "E1004", kind="mobil")])
    register_import = services.register_import_create(actor=desk, files=upload)

    assert services.register_import_run(import_id=register_import.pk) == "done"
    assert services.register_import_run(import_id=register_import.pk) is None  # once only

    register_import.refresh_from_db()
    assert register_import.counts["subscriptions"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert Subscription.objects.get().holder == reg.world.people["employee"]
    response = matrix_client("telekundtjanst").get(register_import.get_absolute_url())
    assert (
        "Abonnemang" in response.content.decode() and response.context["counts"][0]["created"] == 1
    )


def test_the_task_stores_the_swedish_report_of_a_rejected_upload(reg, desk):
    upload = files(subscriptions=[subscription("070-123 45 67", "E9999", kind="mobil")])
    register_import = services.register_import_create(actor=desk, files=upload)

    assert services.register_import_run(import_id=register_import.pk) == "rejected"

    register_import.refresh_from_db()
    assert register_import.error_count == 1
    assert register_import.errors[0]["column"] == "Innehavare"
    assert register_import.errors[0]["value"] == "E9999"
    assert not Subscription.objects.exists()


def test_an_empty_upload_is_refused_next_to_the_field(matrix_client, world):
    upload = SimpleUploadedFile("tom.csv", b"")
    response = matrix_client("telekundtjanst").post(
        reverse("register:import_list"), {"register_files": [upload]}
    )
    assert response.status_code == 200 and response.context["form"].errors["register_files"]
    assert not RegisterImport.objects.exists()


def test_the_list_page_queries_do_not_grow_with_imports(
    matrix_client, world, desk, django_assert_num_queries
):
    client = matrix_client("telekundtjanst")
    for count in (1, 3):
        while RegisterImport.objects.count() < count:
            services.register_import_create(actor=desk, files=[("a.csv", b"x")])
        with django_assert_num_queries(7):
            response = client.get(reverse("register:import_list"))
        assert len(response.context["imports"]) == count


@pytest.mark.parametrize("who", ["telekundtjanst", "admin", "employee"])
def test_the_navigation_links_the_import_for_tele_kundtjanst_only(matrix_client, world, who):
    page = matrix_client(who).get(reverse("start")).content.decode()
    nav = page.split('<nav aria-label="Huvudmeny">', 1)[1].split("</nav>", 1)[0]
    link = f'<a href="{reverse("register:import_list")}">Registerimport</a>'
    assert (link in nav) == (who == "telekundtjanst")
