from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass
from typing import Any

import pytest

from shkola.core.testing.factories import School, guardian_of, make_school


@dataclass
class Family:
    school: School
    child: Any  # the child whose consent is withdrawn
    sibling: Any  # the parent's other child, who stays
    parent: Any


@pytest.fixture
def family(db: Any) -> Family:
    school = make_school(n_students=3)
    child, sibling = school.students[0], school.students[1]
    parent = guardian_of(child, sibling)
    return Family(school, child, sibling, parent)


def pdf_text(data: bytes) -> str:
    """The text of an fpdf2 PDF: the glyph ids of its text operators mapped back through the
    font's ToUnicode table (enough for our own acts; no PDF library is a dependency)."""
    raw = data.decode("latin-1")
    streams = []
    for match in re.finditer(r"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        body = match.group(1).encode("latin-1")
        try:
            streams.append(zlib.decompress(body).decode("latin-1"))
        except zlib.error:
            streams.append(match.group(1))
    mapping: dict[str, str] = {}
    for stream in streams:
        for block in re.findall(r"beginbfchar(.*?)endbfchar", stream, re.S):
            for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[src.upper()] = bytes.fromhex(dst).decode("utf-16-be")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", stream, re.S):
            for lo, hi, dst in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                start = int(dst, 16)
                for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    mapping[f"{code:0{len(lo)}X}"] = chr(start + i)
    out = []
    for stream in streams:
        for literal in _literals_before_tj(stream):
            codes = [f"{literal[i]:02X}{literal[i + 1]:02X}" for i in range(0, len(literal) - 1, 2)]
            out.append("".join(mapping.get(code, "?") for code in codes))
        out.append("\n")
    return "".join(out)


_ESCAPES = {"n": 10, "r": 13, "t": 9, "b": 8, "f": 12, "(": 40, ")": 41, "\\": 92}


def _literals_before_tj(stream: str) -> list[bytes]:
    """The bytes of every «(...) Tj» literal string, its escapes undone."""
    found = []
    i = 0
    while (start := stream.find("(", i)) != -1:
        depth, j, buf = 1, start + 1, bytearray()
        while j < len(stream) and depth:
            ch = stream[j]
            if ch == "\\":
                nxt = stream[j + 1]
                if nxt in "01234567":
                    digits = re.match(r"[0-7]{1,3}", stream[j + 1 :]).group(0)  # type: ignore[union-attr]
                    buf.append(int(digits, 8))
                    j += 1 + len(digits)
                    continue
                buf.append(_ESCAPES.get(nxt, ord(nxt)))
                j += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if not depth:
                    break
            buf.append(ord(ch))
            j += 1
        if stream[j + 1 : j + 4].strip().startswith("Tj"):
            found.append(bytes(buf))
        i = j + 1
    return found


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setenv("SHKOLA_TODAY", "2026-10-05")
    return dt.date(2026, 10, 5)
