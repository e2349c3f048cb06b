#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] not in ([], ["help"], ["--help"], ["-h"], ["--version"]):
        try:
            settings.INSTALLED_APPS  # noqa: B018 - loads the settings
        except ImproperlyConfigured as error:
            # Django would hide this behind "Models aren't loaded yet": say what is wrong.
            sys.exit(f"manage.py: {error}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
