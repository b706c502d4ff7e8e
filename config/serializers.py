"""The project's ModelSerializer: model fields become the strict fields of
config.fields (DRF's documented `serializer_field_mapping`)."""

from django.db import models
from rest_framework import serializers

from config.fields import (
    IsoDateField,
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictIPAddressField,
    StrictPrimaryKeyRelatedField,
    StrictURLField,
)


class ModelSerializer(serializers.ModelSerializer):
    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.DateField: IsoDateField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.URLField: StrictURLField,
        models.GenericIPAddressField: StrictIPAddressField,
    }
