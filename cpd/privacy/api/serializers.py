"""Serializers for the privacy API."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cpd.privacy.models import CertificatesOnErasure, DataExport, ErasureRequest


class ExportOutputSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataExport
        fields = [
            "id",
            "status",
            "requested_at",
            "ready_at",
            "expires_at",
            "size_bytes",
            "download_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export: DataExport) -> str | None:
        if not export.is_downloadable:
            return None
        path = reverse("privacy-export-download", args=[export.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ErasureInputSerializer(serializers.Serializer):
    understood = serializers.BooleanField(
        help_text="Must be true: the person understands erasure cannot be undone."
    )

    def validate_understood(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Confirm that you understand.")
        return value


class ErasureOutputSerializer(serializers.ModelSerializer):
    confirmed = serializers.SerializerMethodField()

    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "user",
            "status",
            "requested_at",
            "due_at",
            "confirmed",
            "done_at",
        ]

    def get_confirmed(self, request: ErasureRequest) -> bool:
        return request.confirmed_by_id is not None


class OrganisationPrivacyInputSerializer(serializers.Serializer):
    certificates_on_erasure = serializers.ChoiceField(
        choices=CertificatesOnErasure.choices
    )


class OrganisationPrivacyOutputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    certificates_on_erasure = serializers.CharField()
