#!/usr/bin/env python3
"""Compile the project's gettext catalogs (locale/*/LC_MESSAGES/*.po) to .mo files.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh machine may
lack; this is the same job in pure Python, so ``make install`` and the test suite work
without it. It understands what our catalogs use: comments, ``msgctxt``, ``msgid``,
``msgid_plural``, ``msgstr[n]``, strings continued over several lines and C escapes.
Fuzzy entries are skipped, as msgfmt does. The output is GNU .mo (little endian,
revision 0, no hash table), the layout of CPython's Tools/i18n/msgfmt.py.

Usage: ``compile_messages.py [--if-stale] [PO_FILE ...]`` — without files, every .po
under ``locale/``; with ``--if-stale`` a .mo newer than its .po is left alone.
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
CONTEXT_SEPARATOR = "\x04"  # gettext joins msgctxt and msgid with EOT
PLURAL_SEPARATOR = "\x00"  # and the plural forms with NUL


class PoError(ValueError):
    pass


@dataclass
class _Entry:
    context: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def _unquote(text: str, path: Path, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise PoError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    try:
        # A .po string is a C string literal; Python's literal syntax covers its escapes.
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError) as exc:
        raise PoError(f"{path}:{lineno}: bad string {text!r}: {exc}") from exc
    if not isinstance(value, str):
        raise PoError(f"{path}:{lineno}: bad string {text!r}")
    return value


def parse_po(path: Path) -> dict[str, str]:
    """The catalog as gettext stores it: key (ctxt EOT msgid [NUL plural]) → msgstr(s)."""
    messages: dict[str, str] = {}
    entries: list[_Entry] = []
    entry = _Entry()
    section: str | None = None  # what a continuation line appends to
    plural_index = 0

    def finish() -> None:
        nonlocal entry, section
        if entry.msgid is not None:
            entries.append(entry)
        elif entry.msgstr or entry.context is not None:
            raise PoError(f"{path}: an entry has no msgid")
        entry = _Entry()
        section = None

    lines = path.read_text(encoding="utf-8").splitlines()
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if section in ("msgstr", "msgstr[]"):
                finish()
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                entry.fuzzy = True
            continue  # "#~" obsolete entries are comments too
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line, path, lineno)
            if section == "msgctxt":
                entry.context = (entry.context or "") + value
            elif section == "msgid":
                entry.msgid = (entry.msgid or "") + value
            elif section == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            elif section in ("msgstr", "msgstr[]"):
                entry.msgstr[plural_index] += value
            else:
                raise PoError(f"{path}:{lineno}: a string outside an entry")
            continue
        if keyword == "msgctxt":
            if section in ("msgstr", "msgstr[]"):
                finish()
            entry.context = _unquote(rest, path, lineno)
            section = "msgctxt"
        elif keyword == "msgid":
            if section in ("msgstr", "msgstr[]"):
                finish()
            if entry.msgid is not None:
                raise PoError(f"{path}:{lineno}: msgid without msgstr before it")
            entry.msgid = _unquote(rest, path, lineno)
            section = "msgid"
        elif keyword == "msgid_plural":
            if section != "msgid":
                raise PoError(f"{path}:{lineno}: msgid_plural must follow msgid")
            entry.msgid_plural = _unquote(rest, path, lineno)
            section = "msgid_plural"
        elif keyword == "msgstr":
            if entry.msgid is None or entry.msgid_plural is not None:
                raise PoError(f"{path}:{lineno}: msgstr needs a msgid (and msgstr[n] a plural)")
            plural_index = 0
            entry.msgstr[0] = _unquote(rest, path, lineno)
            section = "msgstr"
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            if entry.msgid_plural is None:
                raise PoError(f"{path}:{lineno}: msgstr[n] without msgid_plural")
            try:
                plural_index = int(keyword[len("msgstr[") : -1])
            except ValueError as exc:
                raise PoError(f"{path}:{lineno}: bad plural index {keyword!r}") from exc
            if plural_index != len(entry.msgstr):
                raise PoError(f"{path}:{lineno}: plural forms must be numbered 0, 1, 2…")
            entry.msgstr[plural_index] = _unquote(rest, path, lineno)
            section = "msgstr[]"
        else:
            raise PoError(f"{path}:{lineno}: cannot read {raw!r}")
    finish()

    for item in entries:
        assert item.msgid is not None
        if not item.msgstr:
            raise PoError(f"{path}: msgid {item.msgid!r} has no msgstr")
        forms = [item.msgstr[i] for i in range(len(item.msgstr))]
        # Like msgfmt: fuzzy and untranslated entries are left out (the header never is).
        if item.msgid and (item.fuzzy or not any(forms)):
            continue
        key = item.msgid
        if item.msgid_plural is not None:
            key += PLURAL_SEPARATOR + item.msgid_plural
        if item.context is not None:
            key = item.context + CONTEXT_SEPARATOR + key
        if key in messages:
            raise PoError(f"{path}: duplicate msgid {item.msgid!r}")
        messages[key] = PLURAL_SEPARATOR.join(forms)
    return messages


def mo_bytes(messages: dict[str, str]) -> bytes:
    """GNU .mo: header, table of original strings, table of translations, the strings."""
    keys = sorted(messages)  # gettext looks originals up by binary search
    ids = b""
    strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        k = key.encode("utf-8")
        v = messages[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    count = len(keys)
    keystart = 7 * 4 + 16 * count  # header, then the two tables of (length, offset)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack(
        "Iiiiiii",
        0x950412DE,  # magic
        0,  # revision
        count,
        7 * 4,  # start of the originals table
        7 * 4 + count * 8,  # start of the translations table
        0,  # hash table size: none
        0,  # hash table offset
    )
    return (
        header
        + struct.pack(f"{len(koffsets)}i", *koffsets)
        + struct.pack(f"{len(voffsets)}i", *voffsets)
        + ids
        + strs
    )


def compile_po(po: Path, *, if_stale: bool = False) -> Path | None:
    """Write po's .mo beside it; None when --if-stale found it up to date."""
    mo = po.with_suffix(".mo")
    if if_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return None
    data = mo_bytes(parse_po(po))
    tmp = mo.with_suffix(".mo.tmp")
    tmp.write_bytes(data)
    tmp.replace(mo)  # atomic: a parallel test worker never reads half a file
    return mo


def compile_all(locale_dir: Path = LOCALE_DIR, *, if_stale: bool = False) -> list[Path]:
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = compile_po(po, if_stale=if_stale)
        if mo is not None:
            written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-stale", action="store_true", help="skip a .mo newer than its .po")
    parser.add_argument("po_files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.po_files:
            written = [
                mo
                for po in args.po_files
                if (mo := compile_po(po, if_stale=args.if_stale)) is not None
            ]
        else:
            written = compile_all(if_stale=args.if_stale)
    except PoError as exc:
        print(f"compile_messages: {exc}", file=sys.stderr)
        return 1
    for mo in written:
        print(f"compiled {mo.relative_to(ROOT) if mo.is_relative_to(ROOT) else mo}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
