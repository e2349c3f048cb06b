from organizations.management.commands._import_base import ImportCommand
from organizations.models import ImportJob


class Command(ImportCommand):
    help = "Import the enterprises list from a spreadsheet, all or nothing (see --dry-run)."
    kind = ImportJob.Kind.ENTERPRISE
