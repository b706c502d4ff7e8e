from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=`, 20 by default, at most 100 (API.md, "Lists")."""

    default_limit = 20
    max_limit = 100
