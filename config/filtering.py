"""django-filter, strict: a filter given twice, empty, or (for a boolean)
neither `true` nor `false` is a 400 `validation_error` naming the parameter,
not silently "no filter" (the schema says what each takes)."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = {"true", "false"}


class StrictDjangoFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, declared in filterset.filters.items():
                values = request.query_params.getlist(name)
                if not values:
                    continue
                if len(values) > 1:
                    errors[name] = ["Give this filter once."]
                elif values[0] == "":
                    errors[name] = ["Must not be empty; leave the parameter out for no filter."]
                elif isinstance(declared, django_filters.BooleanFilter) and values[0] not in BOOLEAN_VALUES:
                    errors[name] = ["Must be true or false."]
            if errors:
                raise ValidationError(errors)
        return filterset
