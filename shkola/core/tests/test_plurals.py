"""Russian plurals: every count in the UI takes the right one of three forms (1 урок,
3 урока, 5 уроков), from the ru catalog in locale/ compiled by scripts/compile_messages.py."""

from __future__ import annotations

import ast
import gettext
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation.template import templatize

from shkola.accounts.models import Role
from shkola.core.testing.factories import make_school, staff

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
PLURAL_CALLS = {"ngettext", "npgettext", "ngettext_lazy", "npgettext_lazy"}


def compiler() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_messages", ROOT / "scripts" / "compile_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _plural_msgids(source: str) -> set[tuple[str | None, str, str]]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in PLURAL_CALLS:
            continue
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        context = None
        if name.startswith("np"):
            context, args = args[0], args[1:]
        assert isinstance(args[0], str) and isinstance(args[1], str), ast.unparse(node)
        found.add((context, args[0], args[1]))
    return found


def _template_plural_msgids(path: Path) -> set[tuple[str | None, str, str]]:
    # templatize turns a template into the gettext calls makemessages hands to xgettext:
    # ` ngettext('…', '…', count) ` and ` npgettext('ctx', '…', '…',count) `, amid filler.
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    literal = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    call = rf" (ngettext|npgettext)\(({literal}(?:, {literal})+), ?count\) "
    for name, args in re.findall(call, code):
        values = ast.literal_eval(f"({args},)")
        context = values[0] if name == "npgettext" else None
        singular, plural = values[-2:]
        found.add((context, singular, plural))
    return found


def plural_msgids_in_code() -> set[tuple[str | None, str, str]]:
    """(context, singular, plural) of every ngettext and `blocktranslate count` in the code;
    templates are read the way makemessages reads them (templatize)."""
    found = set()
    for path in (ROOT / "shkola").rglob("*"):
        if "tests" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            found |= _plural_msgids(path.read_text(encoding="utf-8"))
        elif "templates" in path.parts and path.suffix in {".html", ".txt"}:
            found |= _template_plural_msgids(path)
    return found


def test_the_scan_finds_the_plurals_it_must():
    # the scanner itself is not blind: a known template plural and a known Python one
    found = {singular for _context, singular, _plural in plural_msgids_in_code()}
    assert "%(n)s приглашение" in found
    assert "В вашу учётную запись добавлен ребёнок: %(names)s." in found


def test_every_plural_in_the_code_has_three_russian_forms_in_the_catalog():
    catalog = compiler().parse_po(PO)
    missing = []
    for context, singular, plural in sorted(plural_msgids_in_code(), key=str):
        key = f"{singular}\x00{plural}"
        if context is not None:
            key = f"{context}\x04{key}"
        forms = catalog.get(key, "").split("\x00")
        if len(forms) != 3 or not all(forms):
            missing.append(singular)
    assert missing == [], "add these to locale/ru/LC_MESSAGES/django.po with 3 forms"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 приглашение"),
        (3, "3 приглашения"),
        (5, "5 приглашений"),
        (11, "11 приглашений"),
        (21, "21 приглашение"),
        (22, "22 приглашения"),
        (25, "25 приглашений"),
        (111, "111 приглашений"),
        (112, "112 приглашений"),
    ],
)
def test_the_three_russian_forms(n, expected):
    with translation.override("ru"):
        text = translation.ngettext("%(n)s приглашение", "%(n)s приглашений", n)
    assert text % {"n": n} == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 пропущенный урок"), (3, "3 пропущенных урока"), (5, "5 пропущенных уроков")],
)
def test_missed_lessons_count(n, expected):
    with translation.override("ru"):
        text = translation.ngettext(
            "%(n)s пропущенный урок за период. Ниже — темы, пройденные в эти дни, и "
            "заданное на дом.",
            "%(n)s пропущенных уроков за период. Ниже — темы, пройденные в эти дни, и "
            "заданное на дом.",
            n,
        )
    assert (text % {"n": n}).startswith(expected + " за период")


@pytest.mark.django_db
def test_the_roster_counts_students_in_russian():
    school = make_school(n_students=1)
    three, _ = school.add_class(8, "Б", n_students=3)
    five, _ = school.add_class(9, "В", n_students=5)
    client = Client()
    client.force_login(staff(school.organisation, role=Role.DEPUTY))

    def roster(**params: str) -> str:
        page = client.get("/school/students/", params)
        assert page.status_code == 200
        return " ".join(page.content.decode().split())

    assert "Найден 1 обучающийся" in roster(**{"class": str(school.class_unit.id)})
    assert "Найдено 3 обучающихся" in roster(**{"class": str(three.id)})
    assert "Найдено 5 обучающихся" in roster(**{"class": str(five.id)})
    assert "Найдено 9 обучающихся" in roster()


PO_WITH_EVERYTHING = r"""# a comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

#: somewhere.py:1
#, python-format
msgctxt "месяц"
msgid "Май"
msgstr "мая"

msgid ""
"строка, продолженная "
"на второй строке"
msgstr "две \"строки\"\n\tс табуляцией и \\ слешем"

#, fuzzy
msgid "неточный"
msgstr "не попадёт"

msgid "непереведённый"
msgstr ""

msgctxt "счёт"
msgid "%(n)s урок"
msgid_plural "%(n)s уроков"
msgstr[0] "%(n)s урок"
msgstr[1] "%(n)s урока"
msgstr[2] ""
"%(n)s уроков"
"""


def test_the_compiler_reads_contexts_plurals_continuations_and_escapes(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(PO_WITH_EVERYTHING, encoding="utf-8")
    mo = compiler().compile_po(po)
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    assert catalog.pgettext("месяц", "Май") == "мая"
    assert catalog.gettext("строка, продолженная на второй строке") == (
        'две "строки"\n\tс табуляцией и \\ слешем'
    )
    assert catalog.gettext("неточный") == "неточный"
    assert catalog.gettext("непереведённый") == "непереведённый"
    forms = [catalog.npgettext("счёт", "%(n)s урок", "%(n)s уроков", n) for n in (1, 3, 5)]
    assert forms == ["%(n)s урок", "%(n)s урока", "%(n)s уроков"]


def test_the_compiler_refuses_a_broken_catalog(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "a"\nmsgstr[0] "b"\n', encoding="utf-8")
    module = compiler()
    with pytest.raises(module.PoError, match="msgstr\\[n\\] without msgid_plural"):
        module.compile_po(po)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("source", ["project", "sample"])
def test_the_compiler_agrees_with_gnu_msgfmt(tmp_path, source):
    po = PO if source == "project" else tmp_path / "sample.po"
    if source == "sample":
        po.write_text(PO_WITH_EVERYTHING, encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", tmp_path / "gnu.mo", po], check=True)
    ours = tmp_path / "ours.mo"
    ours.write_bytes(compiler().mo_bytes(compiler().parse_po(po)))
    with (tmp_path / "gnu.mo").open("rb") as g, ours.open("rb") as o:
        gnu, mine = gettext.GNUTranslations(g), gettext.GNUTranslations(o)
    assert mine._catalog == gnu._catalog  # type: ignore[attr-defined]
    assert mine._info == gnu._info  # type: ignore[attr-defined]
    assert [mine.plural(n) for n in range(130)] == [  # type: ignore[attr-defined]
        gnu.plural(n)  # type: ignore[attr-defined]
        for n in range(130)
    ]
