"""Where the import tasks were defined before they moved to ``organizations.importing.jobs``.

django-tasks-db stores a queued task by its dotted path (``organizations.tasks.preview_import``):
this re-export keeps tasks queued before the move running. New tasks are queued under the new path.
"""

from organizations.importing.jobs import apply_import, preview_import

__all__ = ["apply_import", "preview_import"]
