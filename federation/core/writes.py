"""The steps every write service takes, written once (zulip's ``do_*`` actions, pretix's services).

Each app's ``services.py`` holds the one write path of its models: the admin (``save_model``,
``delete_model``, ``save_formset``, actions), the staff pages, tasks and commands all call it.
A service adds what is particular to its model and ends in :func:`save_record` or
:func:`delete_record`, which

* refuse a write outside the user's scope (:func:`federation.core.scoping.require_write_scope`),
* validate the record (``full_clean``: fields, ``clean()``, unique and check constraints),
* save with optimistic locking when the model is versioned (:mod:`federation.core.locking`),
* attribute the one history record the save writes to the user, with a reason
  (:func:`federation.core.audit.set_history`).

The page cache refreshes through the ``post_save``/``post_delete`` signals of the saved record; a
service that writes in bulk (``update()``, ``bulk_create()``, which send no signals) calls
``federation.web.cache.public_cache_invalidate`` itself, on commit.

Transactions: a service that is always the outermost transaction (a workflow step) is
``@transaction.atomic(durable=True)``, so it is committed when it returns. The services the
admin's change form calls run inside the admin's own transaction (Django wraps ``save_model``,
``save_related`` and the log entry in one), so they are plain ``@transaction.atomic``. Django's
test cases are exempt from the durable check, so both kinds run under the test suite.
"""

from __future__ import annotations

from django.db.models import Model

from federation.core.audit import CHANGED, CREATED, DELETED, set_history
from federation.core.locking import is_versioned, save_versioned
from federation.core.scoping import require_delete_scope, require_write_scope


def save_record(
    obj: Model, *, user, expected_version: int | None = None, reason=None, validate: bool = True
) -> Model:
    """Check the scope, validate and save ``obj`` (one history record, by ``user``).

    ``expected_version`` is the version the user's form was rendered with; a versioned record
    changed since then raises :class:`federation.core.locking.StaleObjectError`.
    """
    require_write_scope(obj, user)
    if validate:
        obj.full_clean()
    adding = obj._state.adding or obj.pk is None
    set_history(obj, user=user, reason=reason or (CREATED if adding else CHANGED))
    if is_versioned(type(obj)):
        return save_versioned(obj, expected_version=expected_version)
    obj.save()
    return obj


def delete_record(obj: Model, *, user, reason=None) -> None:
    """Check the scope and delete ``obj`` (its history keeps a deletion record by ``user``)."""
    require_delete_scope(obj, user)
    set_history(obj, user=user, reason=reason or DELETED)
    obj.delete()
