"""The admin's autocomplete (the booking form's client box, say), labelled by
the target ModelAdmin's `autocomplete_label(obj)` when it has one, so two
patients of the same name are told apart before one is picked. config/urls.py
serves it at the admin site's own autocomplete URL."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


def autocomplete(request):
    view = LabelledAutocompleteJsonView.as_view(admin_site=admin.site)
    return admin.site.admin_view(view)(request)
