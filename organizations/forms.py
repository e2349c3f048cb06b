"""Form helpers the admin and the staff pages share."""

from __future__ import annotations

import datetime


def hours_from(formset) -> list[tuple[int, datetime.time, datetime.time]]:
    """(weekday, opens, closes) of the rows of a valid opening-hours formset, deleted ones left out."""
    return [
        (f.cleaned_data["weekday"], f.cleaned_data["opens"], f.cleaned_data["closes"])
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
