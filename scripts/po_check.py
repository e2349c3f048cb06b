#!/usr/bin/env python3
"""Check the gettext catalogues under locale/ without gettext tools (CI has none).

    python scripts/po_check.py            # check locale/en and locale/zh_Hans
    python scripts/po_check.py --list     # print the English entries still to translate

English (every entry must be translated): an entry fails when it is empty, fuzzy, keeps
Chinese characters (unless a translator comment ``# i18n: keep-chinese`` says so), has a
different set of placeholders (``%(name)s``, ``%s``, ``{name}``) or HTML tags than its msgid,
a stray ``%`` in a python-format string, or the wrong number of plural forms.
zh_Hans (the msgid is already the text): msgstr may stay empty; a filled one must keep the
placeholders; nplurals must be 1.
Both: the same msgids (made by the same `make messages` run), and the compiled .mo matches the .po.
Sources: the django catalogues hold exactly the strings marked in the code and templates (the
files `make messages` reads), so a string marked after the last `make messages` is caught.

Exit status 1 and one line per problem when something is wrong. Only the standard library, and
Django's own template-to-gettext converter for the templates.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import gettext
import io
import os
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")

# Python %-conversions: named (%(name)s) and positional (%s, %d, %.1f); %% is a literal percent.
NAMED = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[:!][^{}]*)?\}(?!\})")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
KEEP_CHINESE = "i18n: keep-chinese"

# What `make messages` extracts for the django domain: the gettext keywords Django passes to
# xgettext (plus xgettext's own Python ones) as name → (context arg, singular arg, plural arg).
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 1, None),
    "gettext": (None, 1, None),
    "gettext_lazy": (None, 1, None),
    "gettext_noop": (None, 1, None),
    "ngettext": (None, 1, 2),
    "ngettext_lazy": (None, 1, 2),
    "pgettext": (1, 2, None),
    "pgettext_lazy": (1, 2, None),
    "npgettext": (1, 2, 3),
    "npgettext_lazy": (1, 2, 3),
}
SOURCE_EXTENSIONS = (".py", ".html", ".txt")
# makemessages' default ignore patterns; the project's own come from MESSAGES_IGNORE in the Makefile.
DEFAULT_IGNORE = ("CVS", ".*", "*~", "*.pyc")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)  # translator comments ("# ...")
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(text: str, path: Path, lineno: int) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    # PO strings use C escapes, which for \n \t \" \\ match Python's.
    return ast.literal_eval(text)


def parse_po(path: Path | str, text: str | None = None) -> list[Entry]:
    """Parse a .po file as gettext tools write it: entries separated by blank lines."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    if text is None:
        text = Path(path).read_text(encoding="utf-8")

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        elif line.startswith(("# ", "#\t")) or line == "#":
            entry.comments.append(line[1:].strip())
            continue
        elif line.startswith("#"):  # references (#:), extracted (#.), previous msgid (#|)
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{lineno}: continuation line outside an entry")
            text = _unquote(line, path, lineno)
        else:
            keyword, _, rest = line.partition(" ")
            match = re.fullmatch(r"msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?", keyword)
            if match is None:
                raise ValueError(f"{path}:{lineno}: cannot read {raw!r}")
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(match.group(1) or 0))
                entry.msgstr.setdefault(target[1], "")
            else:
                target = (keyword, None)
                if keyword == "msgid":
                    entry.line = lineno
                elif keyword == "msgid_plural":
                    entry.msgid_plural = ""
                elif keyword == "msgctxt":
                    entry.msgctxt = ""
            text = _unquote(rest, path, lineno)
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += text
        elif name == "msgid":
            entry.msgid += text
        elif name == "msgid_plural":
            entry.msgid_plural += text
        else:
            entry.msgctxt += text
    if target is not None:
        entries.append(entry)
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next((e for e in entries if e.is_header), None)
    if header is None:
        return {}
    pairs = (line.partition(":") for line in header.msgstr.get(0, "").splitlines())
    return {k.strip().lower(): v.strip() for k, _, v in pairs if k.strip()}


def nplurals(entries: list[Entry]) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", header_fields(entries).get("plural-forms", ""))
    return int(match.group(1)) if match else None


def placeholders(text: str, flags: set[str]) -> Counter:
    """The placeholders a translation must keep, as a multiset."""
    found: Counter = Counter(f"%({name})" for name in NAMED.findall(text))
    if "python-format" in flags or "c-format" in flags:
        rest = NAMED.sub("", text).replace("%%", "")
        found.update(m.group(0) for m in POSITIONAL.finditer(rest))
    if "python-brace-format" in flags:
        found.update("{" + name + "}" for name in BRACE.findall(text))
    found.update(
        "<" + tag.lower() + ">" if not t.startswith("</") else "</" + tag.lower() + ">"
        for t, tag in ((m.group(0), m.group(1)) for m in TAG.finditer(text))
    )
    return found


def stray_percent(text: str) -> bool:
    """True when a python-format string has a % that is no conversion (formatting would fail)."""
    rest = NAMED.sub("", text).replace("%%", "")
    return "%" in POSITIONAL.sub("", rest)


def check_entry(entry: Entry, *, nforms: int | None, require: bool) -> list[str]:
    problems: list[str] = []
    forms = [entry.msgstr.get(i, "") for i in sorted(entry.msgstr)]
    filled = any(forms)
    if entry.msgid_plural is not None and nforms is not None and len(forms) != nforms:
        problems.append(f"{len(forms)} plural forms, the header says {nforms}")
    if "fuzzy" in entry.flags and (require or filled):
        problems.append("fuzzy")
    if require and not all(forms):
        problems.append("untranslated" if not filled else "a plural form is empty")
    if not filled:
        return problems
    want = placeholders(entry.msgid_plural or entry.msgid, entry.flags)
    for i, form in enumerate(forms):
        if not form:
            continue
        have = placeholders(form, entry.flags)
        if have != want:
            missing = sorted((want - have).elements())
            extra = sorted((have - want).elements())
            label = f"msgstr[{i}]" if entry.msgid_plural is not None else "msgstr"
            problems.append(f"{label} placeholders/tags differ: missing {missing}, extra {extra}")
        if "python-format" in entry.flags and stray_percent(form):
            problems.append("a lone % in a python-format string (write %%)")
        if require and CJK.search(form) and not any(KEEP_CHINESE in c for c in entry.comments):
            problems.append("msgstr still contains Chinese")
    return problems


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_mo(po: Path, entries: list[Entry]) -> list[str]:
    """The compiled .mo must carry exactly the .po's non-fuzzy translations."""
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return [f"{_rel(mo)}: missing, run `make messages`"]
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - stdlib has no getter
    expected: dict = {}
    for entry in entries:
        if entry.obsolete or entry.is_header or "fuzzy" in entry.flags:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                expected[msgid] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            for i, form in entry.msgstr.items():
                expected[(msgid, i)] = form
    actual = {k: v for k, v in catalog.items() if k != ""}
    if actual != expected:
        stale = len(set(expected.items()) ^ set(actual.items()))
        return [f"{_rel(mo)}: {stale} entries differ from the .po, run `make messages`"]
    return []


# --- the strings marked in the sources --------------------------------------------------------
def makefile_ignore_patterns(root: Path = ROOT) -> list[str]:
    """The ``--ignore`` patterns of MESSAGES_IGNORE in the Makefile (one list for both)."""
    text = (root / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^MESSAGES_IGNORE\s*:?=((?:.*\\\n)*.*)$", text, re.MULTILINE)
    if match is None:
        raise ValueError("Makefile: no MESSAGES_IGNORE")
    return re.findall(r"--ignore\s+'([^']+)'", match.group(1))


def _ignored(rel: str, patterns: list[str]) -> bool:
    # As django.core.management.utils.is_ignored_path: the name or the whole path matches.
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        pattern = pattern[:-2] if pattern.endswith("/*") else pattern
        if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(rel, pattern):
            return True
    return False


def source_files(root: Path = ROOT) -> list[Path]:
    """The files `make messages` reads: .py, .html and .txt outside the ignored folders."""
    patterns = [*DEFAULT_IGNORE, *makefile_ignore_patterns(root)]
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(
            d for d in dirnames if d != "locale" and not _ignored(rel_dir + d, patterns)
        )
        for name in sorted(filenames):
            if name.endswith(SOURCE_EXTENSIONS) and not _ignored(rel_dir + name, patterns):
                found.append(Path(dirpath) / name)
    return found


def _literal(tokens: list[tokenize.TokenInfo]) -> str | None:
    """The msgid xgettext takes from an argument: its leading string literals, joined (what
    follows, such as ``% values``, is ignored); None when it does not start with a string."""
    parts = []
    for token in tokens:
        if token.type == tokenize.STRING:
            prefix = re.match(r"[rRbBuUfF]*", token.string).group(0)
            if "b" in prefix.lower():
                return None
            # xgettext takes an f-string's text as written (a bug in the code, but extracted).
            plain = prefix.replace("f", "").replace("F", "") + token.string[len(prefix) :]
            parts.append(ast.literal_eval(plain))
        elif not (parts and token.string == "+"):
            break
    return "".join(parts) if parts else None


def marked_strings(code: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every gettext call with literal arguments, as xgettext finds them."""
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type not in skip:
                tokens.append(token)
    except tokenize.TokenError:
        pass  # an unclosed bracket at the very end: keep what came before
    found = set()
    for i, token in enumerate(tokens[:-1]):
        if token.type != tokenize.NAME or token.string not in KEYWORDS:
            continue
        if tokens[i + 1].string != "(" or (i and tokens[i - 1].string == "def"):
            continue
        args, current, depth = [], [], 0
        for inner in tokens[i + 2 :]:
            if inner.type == tokenize.OP and inner.string in "([{":
                depth += 1
            elif inner.type == tokenize.OP and inner.string in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and inner.string == ",":
                args.append(current)
                current = []
                continue
            current.append(inner)
        args.append(current)
        context_at, singular_at, _plural_at = KEYWORDS[token.string]
        msgid = _literal(args[singular_at - 1]) if len(args) >= singular_at else None
        context = _literal(args[context_at - 1]) if context_at and len(args) >= context_at else None
        if msgid and (context_at is None or context is not None):
            found.add((context, msgid))
    return found


def source_keys(root: Path = ROOT) -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked for translation in the sources."""
    from django.utils.translation import templatize  # the converter makemessages uses

    keys: set[tuple[str | None, str]] = set()
    for path in source_files(root):
        code = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            # Templates become gettext calls amid filler; the filler's indentation means nothing.
            code = templatize(code, origin=str(path.relative_to(root)))
            code = "\n".join(line.lstrip() for line in code.splitlines())
        keys |= marked_strings(code)
    return keys


def check_sources(entries: list[Entry], po: Path, want: set[tuple[str | None, str]]) -> list[str]:
    """The catalogue holds exactly the strings marked in the sources (``want``)."""
    have = {e.key for e in entries if not e.obsolete and not e.is_header}
    problems = []
    for keys, what in (
        (want - have, "marked in the code but not in the catalogue"),
        (have - want, "in the catalogue but no longer marked in the code"),
    ):
        if keys:
            examples = ", ".join(repr(msgid) for _ctx, msgid in sorted(keys, key=str)[:3])
            problems.append(
                f"{_rel(po)}: {len(keys)} string(s) {what} ({examples}), run `make messages`"
            )
    return problems


def js_uses_gettext(root: Path = ROOT) -> bool:
    """As the Makefile decides whether to make the djangojs catalogues."""
    return any(
        re.search(r"gettext|interpolate", path.read_text(encoding="utf-8", errors="replace"))
        for path in (root / "static").rglob("*.js")
        if "vendor" not in path.relative_to(root / "static").parts[:1]
    )


def check(locale_dir: Path = LOCALE, root: Path = ROOT) -> list[str]:
    """Every problem of the catalogues under ``locale_dir`` for the sources under ``root``."""
    problems: list[str] = []
    marked = None
    for domain in DOMAINS:
        en_po = locale_dir / "en" / "LC_MESSAGES" / f"{domain}.po"
        zh_po = locale_dir / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        if domain == "django" or en_po.exists() or zh_po.exists() or js_uses_gettext(root):
            for po in (en_po, zh_po):
                if not po.exists():
                    problems.append(f"{_rel(po)}: missing, run `make messages`")
            if problems:
                continue
        else:
            continue
        catalogues = {}
        for po, require, want_plurals in ((en_po, True, 2), (zh_po, False, 1)):
            entries = parse_po(po)
            catalogues[po] = entries
            rel = _rel(po)
            forms = nplurals(entries)
            if forms != want_plurals:
                problems.append(f"{rel}: header has nplurals={forms}, expected {want_plurals}")
            for entry in entries:
                if entry.obsolete or entry.is_header:
                    continue
                for problem in check_entry(entry, nforms=forms, require=require):
                    problems.append(f"{rel}:{entry.line}: {problem}: {entry.msgid!r}")
            problems.extend(check_mo(po, entries))
            if domain == "django":
                marked = source_keys(root) if marked is None else marked
                problems.extend(check_sources(entries, po, marked))
        en_ids, zh_ids = (
            {e.key for e in entries if not e.obsolete and not e.is_header}
            for entries in catalogues.values()
        )
        if en_ids != zh_ids:
            problems.append(
                f"{domain}: en and zh_Hans catalogues differ by {len(en_ids ^ zh_ids)} msgids, "
                "run `make messages`"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print untranslated English msgids")
    args = parser.parse_args(argv)
    if args.list:
        for domain in DOMAINS:
            po = LOCALE / "en" / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                for entry in parse_po(po):
                    if (
                        not entry.obsolete
                        and not entry.is_header
                        and ("fuzzy" in entry.flags or not all(entry.msgstr.values()))
                    ):
                        print(
                            entry.msgid
                            if entry.msgid_plural is None
                            else f"{entry.msgid}\t{entry.msgid_plural}"
                        )
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in the catalogues.", file=sys.stderr)
        return 1
    print("Catalogues OK.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
