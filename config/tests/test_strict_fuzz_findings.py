"""Input the deep schemathesis run (`make fuzz`) found accepted although the
schema refuses it: each is a 400 naming the field, and nothing changes."""

import json

from clinic.models import Client
from scheduling.tests.factories import AppointmentFactory


def test_a_reason_longer_than_its_limit_is_400_even_when_it_is_all_whitespace(api, world):
    appointment = AppointmentFactory(client=world.client, doctor=world.doctor, reason="Check-up")
    response = api(world.staff).patch(
        f"/api/v1/appointments/{appointment.pk}",
        json.dumps({"reason": "\u000b" * 501}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "reason" in response.json()["errors"]
    appointment.refresh_from_db()
    assert appointment.reason == "Check-up"


def test_an_empty_string_is_no_reference(api, world):
    before = Client.objects.count()
    response = api(world.admin).post(
        "/api/v1/clients/",
        {"first_name": "Ada", "last_name": "Lovelace", "assigned_doctor": ""},
        format="json",
    )
    assert response.status_code == 400
    assert "assigned_doctor" in response.json()["errors"]
    assert Client.objects.count() == before


def test_an_empty_query_parameter_is_not_its_default(api, world):
    url = f"/api/v1/doctors/{world.doctor.pk}/availability"
    response = api(world.patient).get(url, {"date": "2030-01-07", "duration": ""})
    assert response.status_code == 400
    assert "duration" in response.json()["errors"]
    assert api(world.patient).get(url, {"date": "2030-01-07"}).status_code == 200
