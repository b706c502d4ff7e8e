"""The storage behind documents: `STORAGES["documents"]` (local disk under
MEDIA_ROOT, or an S3-compatible bucket), resolved lazily so a change of
settings (tests, another environment) is honoured. It never has a public URL:
files leave only through the audited download."""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class DocumentsStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["documents"]


documents_storage = DocumentsStorage()


def _forget_storage(*, setting, **kwargs):
    if setting in {"STORAGES", "MEDIA_ROOT"}:
        documents_storage._wrapped = empty


setting_changed.connect(_forget_storage)
