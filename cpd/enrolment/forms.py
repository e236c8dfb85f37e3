"""The upload form of a spreadsheet enrolment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cpd.enrolment import reading


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_(
            "One person per row. Columns: name, phone and/or email; optional role "
            "(learner or mentor), cadre, facility, district, language, mentor."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if too_large := reading.size_error(upload.size):
            raise forms.ValidationError(too_large)
        return upload
