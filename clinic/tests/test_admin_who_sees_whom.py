"""Who sees which people in the admin: the booking form's client box tells
namesakes apart by birth date and phone; the front desk lists the clinic's
people, not patients' accounts, which it meets only in a client record's
Account box."""

from datetime import date

import pytest

from accounts.tests.factories import UserFactory
from clinic.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
AUTOCOMPLETE = "/admin/autocomplete/"
USERS = "/admin/accounts/user/"


def autocomplete(browser, term, *, model="appointment", app="scheduling", field="client"):
    query = {"term": term, "app_label": app, "model_name": model, "field_name": field}
    response = browser.get(AUTOCOMPLETE, query)
    assert response.status_code == 200, response.content
    return [row["text"] for row in response.json()["results"]]


def test_namesakes_are_told_apart_by_birth_date_and_phone(world, admin_as):
    ClientFactory(
        first_name="Chloe", last_name="Rossi", date_of_birth=date(1990, 2, 3), phone="+44 20 7946 0001"
    )
    ClientFactory(first_name="Chloe", last_name="Rossi", date_of_birth=date(1985, 7, 9), phone="")
    labels = autocomplete(admin_as(world.staff), "Rossi")
    assert sorted(labels) == ["Chloe Rossi · b. 3 Feb 1990 · +44 20 7946 0001", "Chloe Rossi · b. 9 Jul 1985"]


def test_a_doctor_is_still_offered_only_their_own_patients(world, admin_as):
    labels = autocomplete(admin_as(world.doctor), "", model="appointment")
    assert [label.split(" · ")[0] for label in labels] == [str(world.client)]


def test_the_front_desk_lists_the_clinics_people_but_not_patients_accounts(world, admin_as):
    desk = admin_as(world.staff)
    listed = desk.get(USERS)
    assert listed.status_code == 200
    shown = {user.pk for user in listed.context["cl"].result_list}
    assert {world.doctor.pk, world.other_doctor.pk, world.staff.pk, world.admin.pk} <= shown
    assert not shown & {world.patient.pk, world.other_patient.pk}
    assert world.patient.email not in listed.content.decode()
    page = desk.get(f"{USERS}{world.patient.pk}/change/")
    assert page.status_code == 302  # "doesn't exist", as for any id out of reach
    assert world.patient.email not in desk.get(page["Location"]).content.decode()


def test_an_admin_lists_every_account(world, admin_as):
    listed = admin_as(world.admin).get(USERS)
    assert {world.patient.pk, world.other_patient.pk} <= {
        user.pk for user in listed.context["cl"].result_list
    }


def test_the_client_records_account_box_offers_patient_accounts_only(world, admin_as):
    unlinked = UserFactory(username="zed.unlinked", full_name="Zed Unlinked")
    desk = admin_as(world.staff)
    assert autocomplete(desk, "Zed", model="client", app="clinic", field="user") == ["Zed Unlinked"]
    assert autocomplete(desk, world.doctor.username, model="client", app="clinic", field="user") == []
    doctors = autocomplete(desk, world.doctor.username, model="client", app="clinic", field="assigned_doctor")
    assert doctors == [str(world.doctor)]
    assert unlinked.role == "patient"
