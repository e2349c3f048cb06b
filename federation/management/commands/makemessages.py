"""makemessages without msgmerge's fuzzy matching.

The source strings are Chinese: msgmerge's similarity guess pairs a new msgid with an unrelated
old one (流动 got "Activities", 日期 got "Weekday"). A new string must arrive empty, so it is
translated, not silently mistranslated. `make messages` runs this command.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
