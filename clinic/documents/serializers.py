from rest_framework import serializers

from clinic.models import Document, DocumentKind
from config.fields import StrictCharField, StrictChoiceField
from config.serializers import ModelSerializer


class DocumentSerializer(ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "client",
            "title",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    """An upload, as multipart/form-data; the file's type is read from its content."""

    file = serializers.FileField(use_url=False)
    title = StrictCharField(max_length=200)
    kind = StrictChoiceField(choices=DocumentKind.choices, default=DocumentKind.OTHER)
