"""Pinyin search keys stored with a record, so that ``kly``, ``kailaiying`` or ``tuoguan`` find
凯莱英 and 托管 (a visitor on a phone often types pinyin or initials).

A model opts in with a ``search_pinyin`` field and ``PINYIN_SOURCES`` (the text fields it is made
from). ``save()`` keeps it in step through the ``pre_save`` receiver below; bulk writers (the
spreadsheet import, seed_demo), which send no signals, call :func:`fill_pinyin` themselves.
"""

from __future__ import annotations

import re

from django.db.models.signals import pre_save
from django.dispatch import receiver
from pypinyin import lazy_pinyin

FIELD = "search_pinyin"
_NOT_KEY = re.compile(r"[^a-z0-9]+")
_RUNS = re.compile(r"([\u3400-\u9fff]+)|([^\u3400-\u9fff]+)")


def pinyin_keys(text: str) -> str:
    """Each line (or name) as full pinyin and as initials, lower case, no tones or spaces:
    凯莱英妇联 → ``kailaiyingfulian klyfl``."""
    keys = []
    for line in (text or "").splitlines():
        full, initials = [], []
        for han, other in _RUNS.findall(line):
            if han:
                syllables = [_NOT_KEY.sub("", s.lower()) for s in lazy_pinyin(han)]
                full += syllables
                initials += [s[:1] for s in syllables]
            else:  # letters and digits (MSD-G3) stay whole in both keys
                word = _NOT_KEY.sub("", other.lower())
                full.append(word)
                initials.append(word)
        if "".join(full):
            keys += ["".join(full), "".join(initials)]
    return " ".join(dict.fromkeys(keys))


def fill_pinyin(obj) -> bool:
    """Set ``obj.search_pinyin`` from its sources; True when it changed."""
    sources = getattr(type(obj), "PINYIN_SOURCES", None)
    if not sources or not hasattr(obj, FIELD):
        return False
    value = pinyin_keys("\n".join(str(getattr(obj, name) or "") for name in sources))
    changed = getattr(obj, FIELD) != value
    setattr(obj, FIELD, value)
    return changed


def is_pinyin_query(word: str) -> bool:
    """A word of Latin letters only (2+) may be pinyin; Chinese words are matched as they are."""
    return len(word) >= 2 and word.isascii() and word.isalpha()


@receiver(pre_save, dispatch_uid="federation.core.pinyin")
def _keep_pinyin_in_step(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not hasattr(sender, "PINYIN_SOURCES"):
        return
    if update_fields is not None and not set(update_fields) & set(sender.PINYIN_SOURCES):
        return
    fill_pinyin(instance)
