"""Media storage on local disk that never leaves a partial file behind.

Django's FileSystemStorage keeps whatever it wrote when a write fails half-way (a full disk, a
quota, an I/O error). MediaStorage removes it and re-raises, and ``files_removed_on_rollback``
removes files written inside a block that then fails, so a failed upload leaves neither a row nor
a file.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)

_saved_in_block: ContextVar[list | None] = ContextVar("saved_in_block", default=None)


class MediaStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.exists(full_path)
        try:
            saved = super()._save(name, content)
        except OSError:
            # The write failed after creating the file: remove the fragment.
            if not existed and os.path.exists(full_path):
                try:
                    os.remove(full_path)
                except OSError:
                    logger.exception("could not remove partial upload %s", full_path)
            raise
        tracked = _saved_in_block.get()
        if tracked is not None:
            tracked.append((self, saved))
        return saved


@contextmanager
def files_removed_on_rollback():
    """Delete every file saved inside the block if the block raises.

    Wrap it around ``transaction.atomic()`` in a service that saves a row with its file: when
    the row cannot be written (or a later step fails) the file does not outlive it.
    """
    saved: list = []
    token = _saved_in_block.set(saved)
    try:
        yield
    except BaseException:
        for storage, name in saved:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("could not remove %s after a failed upload", name)
        raise
    finally:
        _saved_in_block.reset(token)


def media_is_local() -> bool:
    """True when media live on this server's disk (then backups archive MEDIA_ROOT)."""
    from django.core.files.storage import storages

    return isinstance(storages["default"], FileSystemStorage)
