"""The hand-written JSON of the hot reads equals DRF's generic serialization."""

import pytest
from django.utils import timezone
from rest_framework import serializers

from accounts.serializers import OwnProfileSerializer, UserSerializer
from scheduling.serializers import AppointmentSerializer, SlotSerializer
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York"])
def test_appointment_json_is_drf_generic_json(world, settings, zone):
    settings.TIME_ZONE = zone
    appointment = AppointmentFactory(client=world.client, doctor=world.doctor, notes="Bring results")
    serializer = AppointmentSerializer()
    generic = serializers.ModelSerializer.to_representation(serializer, appointment)
    assert serializer.to_representation(appointment) == generic


@pytest.mark.parametrize("serializer_class", [UserSerializer, OwnProfileSerializer])
def test_user_json_is_drf_generic_json(world, serializer_class):
    serializer = serializer_class()
    generic = serializers.Serializer.to_representation(serializer, world.doctor)
    assert serializer.to_representation(world.doctor) == generic


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_slot_times_are_drf_datetime_json(settings, zone):
    from config.representation import iso_datetime

    settings.TIME_ZONE = zone
    now = timezone.now()
    assert SlotSerializer({"starts_at": now, "ends_at": now}).data == {
        "starts_at": iso_datetime(now),
        "ends_at": iso_datetime(now),
    }
