"""django-filter, strict: a filter given twice, empty, (for a boolean)
neither `true` nor `false`, or (for an id) not a positive integer is a 400
`validation_error` naming the parameter, not silently "no filter" or a
truncated value (the schema says what each takes)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from config.fields import ID_SCHEMA, IdFormField

BOOLEAN_VALUES = {"true", "false"}


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.Filter):
    """An id, `^[1-9][0-9]*$` up to PostgreSQL's integer range: `1.9` is a 400, not client 1."""

    field_class = IdFormField


@extend_schema_field({"type": "string", "minLength": 1})
class TextFilter(django_filters.CharFilter):
    """Exact text; empty is refused (see the backend), which the schema states."""


class StrictDjangoFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset  # no filter asked for: building and validating the filter form is all cost
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, declared in filterset.filters.items():
                values = request.query_params.getlist(name)
                if not values:
                    continue
                if len(values) > 1:
                    errors[name] = [_("Give this filter once.")]
                elif values[0] == "":
                    errors[name] = [_("Must not be empty; leave the parameter out for no filter.")]
                elif isinstance(declared, django_filters.BooleanFilter) and values[0] not in BOOLEAN_VALUES:
                    errors[name] = [_("Must be true or false.")]
            if errors:
                raise ValidationError(errors)
        return filterset
