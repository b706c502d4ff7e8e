from rest_framework import serializers

from clinic.models import Document, DocumentKind
from config.fields import StrictChoiceField


class DocumentSerializer(serializers.ModelSerializer):
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
    title = serializers.CharField(max_length=200)
    kind = StrictChoiceField(choices=DocumentKind.choices, default=DocumentKind.OTHER)
