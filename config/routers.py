from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    """Every API path answers with or without a trailing slash, never a redirect."""

    include_root_view = False
    include_format_suffixes = False

    def __init__(self):
        super().__init__()
        # DRF turns its `trailing_slash` argument into "/" or "": set the pattern itself.
        self.trailing_slash = "/?"
