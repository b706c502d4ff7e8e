from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=`, 20 by default, at most 100 (API.md, "Lists").

    A `limit` or `offset` that is not a whole number (or is negative, or given
    twice) is a 400 `validation_error`, not silently the default."""

    default_limit = 20
    max_limit = 100

    def get_limit(self, request):
        self._strict_int(request, self.limit_query_param, minimum=1)
        return super().get_limit(request)

    def get_offset(self, request):
        self._strict_int(request, self.offset_query_param, minimum=0)
        return super().get_offset(request)

    def _strict_int(self, request, name: str, *, minimum: int) -> None:
        values = request.query_params.getlist(name)
        if not values:
            return
        if len(values) > 1 or not values[0].isdigit() or int(values[0]) < minimum:
            raise ValidationError(
                {name: [_("Must be a whole number, at least %(minimum)s.") % {"minimum": minimum}]}
            )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            minimum = 1 if parameter["name"] == self.limit_query_param else 0
            parameter["schema"]["minimum"] = minimum
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"Page size, {self.default_limit} by default; above {self.max_limit}: {self.max_limit}."
                )
        return parameters
