from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import DoctorFactory, StaffFactory, UserFactory
from clinic.models import Client

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"


def create(api, world, **extra):
    return api(world.staff).post(URL, {"first_name": "Ada", "last_name": "Byron", **extra}, format="json")


def assert_refused_on(response, field):
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["errors"]


def test_assigned_doctor_must_be_an_active_doctor(world, api):
    retired = DoctorFactory(is_active=False)

    response = create(api, world, assigned_doctor=retired.pk)

    assert_refused_on(response, "assigned_doctor")
    assert not Client.objects.filter(last_name="Byron").exists()


@pytest.mark.parametrize("who", ["staff", "patient"])
def test_assigned_doctor_must_be_a_doctor(world, api, who):
    response = create(api, world, assigned_doctor=getattr(world, who).pk)

    assert_refused_on(response, "assigned_doctor")
    assert not Client.objects.filter(last_name="Byron").exists()


def test_user_must_be_a_patient(world, api):
    response = create(api, world, user=StaffFactory().pk)

    assert_refused_on(response, "user")
    assert not Client.objects.filter(last_name="Byron").exists()


def test_user_already_linked_to_a_record_is_refused(world, api):
    response = create(api, world, user=world.patient.pk)

    assert_refused_on(response, "user")
    assert Client.objects.filter(user=world.patient).get() == world.client


def test_staff_links_an_unlinked_patient_account(world, api):
    newcomer = UserFactory()

    response = api(world.staff).patch(f"{URL}{world.other_client.pk}", {"user": newcomer.pk})

    assert response.status_code == 200
    assert Client.objects.get(pk=world.other_client.pk).user == newcomer


def test_relinking_to_an_account_linked_elsewhere_is_refused(world, api):
    response = api(world.admin).patch(f"{URL}{world.other_client.pk}", {"user": world.patient.pk})

    assert_refused_on(response, "user")
    assert Client.objects.get(pk=world.other_client.pk).user == world.other_patient


def test_date_of_birth_in_the_future_is_refused(world, api):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = api(world.admin).patch(f"{URL}{world.client.pk}", {"date_of_birth": tomorrow.isoformat()})

    assert_refused_on(response, "date_of_birth")
    assert Client.objects.get(pk=world.client.pk).date_of_birth is None


def test_editing_a_record_whose_doctor_left_still_works(world, api):
    world.doctor.is_active = False
    world.doctor.save()

    response = api(world.staff).patch(f"{URL}{world.client.pk}", {"phone": "+15550001"})

    assert response.status_code == 200
    assert Client.objects.get(pk=world.client.pk).phone == "+15550001"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"last_name": "Byron"}, "first_name"),
        ({"first_name": "Ada", "last_name": "Byron", "email": "not-an-email"}, "email"),
        ({"first_name": "Ada", "last_name": "Byron", "gender": "dragon"}, "gender"),
        ({"first_name": "Ada", "last_name": "Byron", "assigned_doctor": 999999}, "assigned_doctor"),
    ],
)
def test_malformed_input_is_400(world, api, body, field):
    response = api(world.admin).post(URL, body, format="json")

    assert_refused_on(response, field)
    assert Client.objects.count() == 2


def test_validation_errors_never_echo_values(world, api):
    response = api(world.admin).post(
        URL, {"first_name": "Ada", "last_name": "Byron", "email": "secret-marker"}, format="json"
    )

    assert response.status_code == 400
    assert "secret-marker" not in response.content.decode()
