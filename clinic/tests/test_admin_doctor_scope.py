"""A doctor in the admin sees their own patients only, through every admin URL,
and changes only their clinical text; clients' changelist query count."""

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import AuditEvent
from clinic.models import Client
from clinic.tests.factories import ClientFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/clinic/client/"


def test_doctor_changelist_lists_own_patients_only(world, admin_as):
    visiting = ClientFactory()  # not assigned, but has a visit with the doctor
    AppointmentFactory(doctor=world.doctor, client=visiting)

    response = admin_as(world.doctor).get(CHANGELIST)

    assert response.status_code == 200
    assert {row.pk for row in response.context["cl"].result_list} == {world.client.pk, visiting.pk}


def other_patient_urls(world) -> list[str]:
    other = world.other_client.pk
    content_type = ContentType.objects.get_for_model(Client).pk
    return [
        f"{CHANGELIST}{other}/change/",
        f"{CHANGELIST}{other}/history/",
        f"{CHANGELIST}{other}/delete/",
        f"{CHANGELIST}{other}/",
        f"/admin/r/{content_type}/{other}/",
        f"{CHANGELIST}?id__exact={other}",
        f"{CHANGELIST}?_to_field=id&_popup=1",
    ]


def test_a_doctor_reaches_no_other_doctors_patient_through_any_admin_url(world, admin_as):
    browser = admin_as(world.doctor)
    secret = world.other_client.last_name.encode()
    for url in other_patient_urls(world):
        response = browser.get(url, follow=False)
        assert response.status_code in (200, 302, 403, 404), url
        assert secret not in response.content, url
        if response.status_code == 200:  # a changelist: filtered to nothing
            assert world.other_client.pk not in {row.pk for row in response.context["cl"].result_list}
    post = browser.post(f"{CHANGELIST}{world.other_client.pk}/change/", {"notes": "x"})
    assert post.status_code in (302, 403, 404)
    assert not AuditEvent.objects.filter(object_type="client", object_id=str(world.other_client.pk)).exists()
    world.other_client.refresh_from_db()
    assert world.other_client.notes != "x"


@pytest.mark.parametrize(
    "source", [("scheduling", "appointment", "client"), ("clinic", "client", "assigned_doctor")]
)
def test_autocomplete_offers_a_doctor_none_of_another_doctors_patients(world, admin_as, source):
    app_label, model_name, field_name = source
    browser = admin_as(world.doctor)
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""}
    response = browser.get("/admin/autocomplete/", query)
    assert response.status_code in (403, 404) or str(world.other_client.pk) not in {
        row["id"] for row in response.json()["results"]
    }
    assert world.other_client.last_name.encode() not in response.content


def test_staff_autocomplete_finds_any_active_record(world, admin_as):
    browser = admin_as(world.staff)
    query = {"app_label": "scheduling", "model_name": "appointment", "field_name": "client"}
    response = browser.get("/admin/autocomplete/", {**query, "term": world.other_client.last_name})
    assert response.status_code == 200
    assert str(world.other_client.pk) in {row["id"] for row in response.json()["results"]}


def test_a_doctor_changes_only_clinical_text_of_their_patient(world, admin_as):
    browser = admin_as(world.doctor)
    page = browser.get(f"{CHANGELIST}{world.client.pk}/change/")
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {"medical_history", "notes"}
    response = browser.post(
        f"{CHANGELIST}{world.client.pk}/change/",
        {"medical_history": "Penicillin allergy", "notes": "Seen", "first_name": "Changed"},
    )
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert (world.client.medical_history, world.client.notes) == ("Penicillin allergy", "Seen")
    assert world.client.first_name != "Changed"
    assert AuditEvent.objects.filter(action="view", object_id=str(world.client.pk)).count() == 1
    [update] = AuditEvent.objects.filter(action="update", object_id=str(world.client.pk))
    assert sorted(update.fields) == ["medical_history", "notes"]


def test_a_doctor_cannot_add_records(world, admin_as):
    assert admin_as(world.doctor).get(f"{CHANGELIST}add/").status_code == 403


@pytest.mark.parametrize(("role", "archives"), [("admin", True), ("staff", False)])
def test_only_admins_archive_in_the_admin(world, admin_as, role, archives):
    browser = admin_as(world.user(role))
    browser.post(CHANGELIST, {"action": "archive", "_selected_action": [world.client.pk]})
    world.client.refresh_from_db()
    assert world.client.is_archived is archives


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("role", ["staff", "doctor"])
def test_client_changelist_does_not_grow_with_rows(
    world, admin_as, django_assert_max_num_queries, rows, role
):
    ClientFactory.create_batch(rows, assigned_doctor=world.doctor)
    browser = admin_as(world.user(role))
    with django_assert_max_num_queries(10):
        response = browser.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= rows
