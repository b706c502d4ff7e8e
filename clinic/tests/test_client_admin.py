import pytest
from django.test import Client as BrowserClient

from accounts.models import AuditEvent
from accounts.tests.factories import AdminFactory, DoctorFactory, StaffFactory, UserFactory
from clinic.models import Client

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/clinic/client/"
# The documents inline's formset (read-only, empty) still posts its management form.
NO_DOCUMENTS = {f"documents-{name}": "0" for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")}


def test_changelist_shows_archived_records_too(world, browser):
    Client.objects.filter(pk=world.other_client.pk).update(is_archived=True)

    response = browser.get(CHANGELIST)

    assert response.status_code == 200
    listed = {row.pk for row in response.context["cl"].result_list}
    assert listed == {world.client.pk, world.other_client.pk}


@pytest.mark.parametrize("query", [{"q": "Lovelace"}, {"is_archived__exact": "1"}])
def test_changelist_search_and_filter(world, browser, query):
    ada = Client.objects.create(first_name="Ada", last_name="Lovelace", is_archived=True)

    response = browser.get(CHANGELIST, query)

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [ada.pk]


def test_change_form_shows_clinical_text_and_is_a_view_event(world, browser):
    response = browser.get(f"{CHANGELIST}{world.client.pk}/change/")

    assert response.status_code == 200
    assert "No known allergies." in response.content.decode()
    [event] = AuditEvent.objects.filter(action="view")
    assert event.object_type == "client"
    assert event.object_id == str(world.client.pk)
    assert event.ip == "127.0.0.1"


def test_saving_in_the_admin_goes_through_the_service(world, browser):
    data = {
        "first_name": world.client.first_name,
        "last_name": world.client.last_name,
        "email": world.client.email,
        "phone": world.client.phone,
        "address": "",
        "gender": "",
        "date_of_birth": "",
        "medical_history": "Updated in the admin",
        "notes": "",
        "assigned_doctor": world.doctor.pk,
        "user": world.patient.pk,
        **NO_DOCUMENTS,
    }

    response = browser.post(f"{CHANGELIST}{world.client.pk}/change/", data)

    assert response.status_code == 302
    assert Client.objects.get(pk=world.client.pk).medical_history == "Updated in the admin"
    assert AuditEvent.objects.get(action="update").fields == ["medical_history"]


def test_adding_in_the_admin_is_a_create_event(world, browser):
    response = browser.post(
        f"{CHANGELIST}add/",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": "",
            "address": "",
            "gender": "",
            **NO_DOCUMENTS,
        },
    )

    assert response.status_code == 302
    created = Client.objects.get(last_name="Lovelace")
    assert AuditEvent.objects.get(action="create").object_id == str(created.pk)


def test_admin_refuses_an_inactive_doctor(world, browser):
    retired = DoctorFactory(is_active=False)

    response = browser.post(
        f"{CHANGELIST}add/",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "assigned_doctor": retired.pk,
            "user": UserFactory().pk,
            **NO_DOCUMENTS,
        },
    )

    assert response.status_code == 200
    assert "assigned_doctor" in response.context["adminform"].form.errors
    assert not Client.objects.filter(last_name="Lovelace").exists()


def test_archive_and_restore_actions(world, browser):
    archived = browser.post(CHANGELIST, {"action": "archive", "_selected_action": [world.client.pk]})
    assert archived.status_code == 302
    assert Client.objects.get(pk=world.client.pk).is_archived is True
    assert AuditEvent.objects.get(action="delete").object_id == str(world.client.pk)

    restored = browser.post(CHANGELIST, {"action": "restore", "_selected_action": [world.client.pk]})
    assert restored.status_code == 302
    assert Client.objects.get(pk=world.client.pk).is_archived is False
    assert AuditEvent.objects.get(action="update").fields == ["is_archived"]


def test_admin_never_deletes_a_record(world, browser):
    response = browser.post(f"{CHANGELIST}{world.client.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Client.objects.filter(pk=world.client.pk).exists()


def test_doctor_autocomplete_offers_doctors(world, browser):
    response = browser.get(
        "/admin/autocomplete/",
        {"app_label": "clinic", "model_name": "client", "field_name": "assigned_doctor", "term": ""},
    )

    assert response.status_code == 200
    offered = {int(item["id"]) for item in response.json()["results"]}
    assert offered == {world.doctor.pk, world.other_doctor.pk}


def test_admin_leaves_no_names_in_djangos_log_entries(world, browser):
    from django.contrib.admin.models import LogEntry

    browser.post(f"{CHANGELIST}add/", {"first_name": "Ada", "last_name": "Lovelace", **NO_DOCUMENTS})

    assert Client.objects.filter(last_name="Lovelace").exists()
    assert not LogEntry.objects.filter(object_repr__contains="Lovelace").exists()


@pytest.mark.parametrize(
    ("make_user", "listing_status", "change_status"),
    [
        (lambda: AdminFactory(), 200, 200),
        (lambda: StaffFactory(), 200, 200),
        (lambda: DoctorFactory(), 200, 302),  # a stranger's record: back to the index
        (lambda: UserFactory(is_staff=True, role_access=False), 403, 403),  # a patient with no role group
    ],
    ids=["admin", "staff", "other-doctor", "patient"],
)
def test_admin_access_follows_the_role(world, make_user, listing_status, change_status):
    user = make_user()
    browser = BrowserClient()
    browser.force_login(user)

    listing = browser.get(CHANGELIST)
    change_form = browser.get(f"{CHANGELIST}{world.client.pk}/change/")

    assert listing.status_code == listing_status
    assert change_form.status_code == change_status
    assert AuditEvent.objects.filter(action="view").count() == (1 if change_status == 200 else 0)
