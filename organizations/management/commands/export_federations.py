from organizations.management.commands._export_base import ExportCommand
from organizations.models import ImportJob


class Command(ExportCommand):
    help = "Export the federations list in the import template's columns (xlsx or CSV), as the admin does."
    kind = ImportJob.Kind.FEDERATION
