"""Form behaviour every write form shares (staff pages and admin alike)."""

from __future__ import annotations

from django import forms


class LineEndingsFormMixin(forms.BaseForm):
    """Browsers submit a textarea's line breaks as CRLF (HTML's form encoding), while the stored
    text, the importer and the seed use LF: without this every browser save of an unchanged text
    would record a change of it (a phantom 服务内容 change in the history)."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in self.cleaned_data.items():
            if isinstance(value, str) and "\r" in value:
                self.cleaned_data[name] = value.replace("\r\n", "\n").replace("\r", "\n")
