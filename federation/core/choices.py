"""``get_FOO_display()`` without hashing every label of the field's choices.

Django's version builds ``dict(make_hashable(field.flatchoices))`` on each call, which hashes
each (value, label) pair, and hashing a lazy label translates it: a list of 40 activities spent
900 translations on its category and format tags. Here the labels are looked up by value in a
dict built once per field; only the label shown is translated.
"""

from __future__ import annotations

from django.utils.encoding import force_str


class ChoiceLabels:
    """Mixin for models (put it before ``models.Model``)."""

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        labels = field.__dict__.get("_labels_by_value")
        if labels is None:
            labels = field._labels_by_value = dict(field.flatchoices)
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value (a JSON list): Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
