"""The English catalogue is complete, its placeholders match, and English pages really are English.

Swedish is the source language (the msgids); `src/insats/locale/en/LC_MESSAGES/django.po` holds
the English. `bin/i18n` regenerates and compiles it and lists what is left to translate.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import trans_real

from tests.conftest import login

ROOT = Path(__file__).resolve().parents[1]
APP_DIR = ROOT / "src" / "insats"
PO = APP_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --------------------------------------------------------------------------- a minimal .po reader

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    line: int  # where the entry's msgid is, for error messages
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plain msgstr is index 0
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        expected = 2 if self.msgid_plural is not None else 1
        return len(self.msgstr) >= expected and all(self.msgstr.get(i) for i in range(expected))


def _unquote(token: str, lineno: int) -> str:
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"django.po line {lineno}: not a quoted string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), token[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, header (msgid "") included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    flags: set[str] = set()
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines extend

    def finish():
        nonlocal current, target, flags
        if current is not None:
            entries.append(current)
        current, target, flags = None, None, set()

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if current is not None and current.msgstr:
                finish()  # flags always open a new entry
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#"):
            continue
        elif m := _KEYWORD.match(line):
            keyword, index, value = m.group(1), m.group(2), _unquote(m.group(3), lineno)
            if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()  # a new entry without a blank line before it
            if current is None:
                current = Entry(line=lineno, flags=flags)
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, current.line, target = value, lineno, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                i = int(index) if index is not None else 0
                current.msgstr[i], target = value, ("msgstr", i)
        elif line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"django.po line {lineno}: continuation line outside an entry")
            value = _unquote(line, lineno)
            name, i = target
            if name == "msgstr":
                current.msgstr[i] += value
            else:
                setattr(current, name, getattr(current, name) + value)
        else:
            raise ValueError(f"django.po line {lineno}: cannot parse {raw!r}")
    finish()
    return entries


def catalogue() -> list[Entry]:
    return [e for e in parse_po(PO.read_text(encoding="utf-8")) if e.msgid != ""]


def describe(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid[:90]!r}"


# --------------------------------------------------------------------------- the parser itself


def test_parser_reads_continuations_plurals_flags_and_escapes():
    text = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: en\\n"',
            "",
            "#: a.py:1",
            "#, python-format",
            'msgid "Hej %(name)s, \\"du\\" "',
            '"där"',
            'msgstr "Hi %(name)s, \\"you\\" there"',
            "",
            "#, fuzzy",
            '#| msgid "old"',
            'msgid "En fil"',
            'msgid_plural "%(n)s filer"',
            'msgstr[0] "One file"',
            'msgstr[1] ""',
            "",
            'msgid "Tom"',
            'msgstr ""',
            '#~ msgid "borta"',
            '#~ msgstr "gone"',
        ]
    )
    header, greeting, files, empty = parse_po(text)
    assert header.msgid == "" and header.msgstr[0] == "Language: en\n"
    assert greeting.msgid == 'Hej %(name)s, "du" där'
    assert greeting.msgstr == {0: 'Hi %(name)s, "you" there'}
    assert greeting.flags == {"python-format"} and greeting.translated
    assert files.msgid_plural == "%(n)s filer" and files.flags == {"fuzzy"}
    assert files.msgstr == {0: "One file", 1: ""} and not files.translated
    assert empty.msgid == "Tom" and not empty.translated


def test_parser_rejects_garbage():
    with pytest.raises(ValueError, match="line 2"):
        parse_po('msgid "a"\nmsgstr nonsense\n')


# --------------------------------------------------------------------------- the catalogue


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = catalogue()
    assert len(entries) > 1000  # the whole UI, not an empty or truncated file
    untranslated = [describe(e) for e in entries if not e.translated]
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "untranslated (run bin/i18n):\n" + "\n".join(untranslated[:40])
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check, then remove the flag):\n" + "\n".join(fuzzy[:40])


def test_header_declares_english_utf8_and_is_not_fuzzy():
    header = parse_po(PO.read_text(encoding="utf-8"))[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


NAMED = re.compile(r"%\(\w+\)[sdifr]")
BRACED = re.compile(r"\{\w+\}")
# HTML elements used in UI strings (a bare "<nyckel>" in an error text is a placeholder, not markup).
TAG = re.compile(r"</?(?:a|abbr|b|br|code|em|i|kbd|p|span|strong|sub|sup)\b[^>]*>")


def _placeholders(text: str) -> set[str]:
    return set(NAMED.findall(text)) | set(BRACED.findall(text))


def test_placeholders_are_kept_exactly():
    problems = []
    for e in catalogue():
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for i, source in enumerate(sources):
            have, want = _placeholders(e.msgstr.get(i, "")), _placeholders(source)
            if have != want:
                missing, extra = sorted(want - have), sorted(have - want)
                problems.append(f"{describe(e)} form {i}: missing {missing}, extra {extra}")
    assert not problems, "\n".join(problems)


def test_html_markup_is_kept():
    problems = [
        describe(e)
        for e in catalogue()
        for i, source in enumerate([e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural])
        if sorted(TAG.findall(source)) != sorted(TAG.findall(e.msgstr.get(i, "")))
    ]
    assert not problems, "\n".join(problems)


def test_english_differs_from_swedish_except_names_and_codes():
    # Identical text is right only for names, codes and words the two languages share.
    allowed = {"Svenska", "English", "Kolada", "PERT", "Beta", "Lognormal", "INDIGO 4.x", "NNNNNN-NNNN"}
    allowed |= {"Status", "status", "Start", "start", "Version", "version", "Version %(n)s", "Region"}
    allowed |= {"Definition", "definition", "Period", "period", "Per period", "Export", "import", "format"}
    allowed |= {"Person", "1 Information", "Neutral", "Organisation", "organisation", "Scenario"}
    allowed |= {"observation", "API", ", %(value)s %(unit)s per period"}
    only_placeholders = re.compile(r"^[\W\d_]*$")
    same = [
        describe(e)
        for e in catalogue()
        if e.msgstr.get(0) == e.msgid
        and e.msgid not in allowed
        and not only_placeholders.match(NAMED.sub("", e.msgid))
    ]
    assert not same, "left in Swedish:\n" + "\n".join(same)


NO_GETTEXT = "gettext is not installed (bin/setup installs it)"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason=NO_GETTEXT)
def test_msgfmt_check_format_is_clean():
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- the catalogue is current


@pytest.mark.skipif(shutil.which("xgettext") is None, reason=NO_GETTEXT)
def test_catalogue_has_every_string_in_the_code(tmp_path, monkeypatch):
    """makemessages over a copy of the sources finds no msgid the committed catalogue lacks.

    It runs on a copy without a locale directory and writes into a scratch LOCALE_PATHS, because
    makemessages writes into any locale directory it finds next to the sources.
    """
    sources = tmp_path / "src"
    skip = shutil.ignore_patterns("locale", "static", "__pycache__", "*.pyc", "*.po", "*.mo")
    shutil.copytree(APP_DIR, sources, ignore=skip)
    out = tmp_path / "locale"
    out.mkdir()
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[str(out)]):
        call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    fresh = {(e.msgctxt, e.msgid) for e in parse_po((out / "en/LC_MESSAGES/django.po").read_text("utf-8"))}
    committed = {(e.msgctxt, e.msgid) for e in parse_po(PO.read_text(encoding="utf-8"))}
    missing = sorted(m for _c, m in fresh - committed)
    assert len(fresh) > 1000
    assert not missing, "not in the catalogue; run bin/i18n:\n" + "\n".join(missing[:40])


# --------------------------------------------------------------------------- pages in English


def _ensure_compiled(monkeypatch) -> None:
    """Compile the catalogue when the .mo is missing or older than the .po, and drop cached catalogues."""
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return
    monkeypatch.chdir(APP_DIR)
    call_command("compilemessages", locale=["en"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


def test_start_page_in_english_when_the_language_cookie_says_en(client, world, monkeypatch):
    _ensure_compiled(monkeypatch)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Next steps" in html and "Nästa steg" not in html
    assert "You work for Tomelilla kommun as Administrator." in html
    assert "Du arbetar för" not in html
    assert "Sign out" in html and "Logga ut" not in html


def test_start_page_stays_swedish_without_the_cookie(client, world, monkeypatch):
    # The control for the test above: Swedish is the default language.
    _ensure_compiled(monkeypatch)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    html = client.get("/").content.decode()
    assert '<html lang="sv">' in html
    assert "Nästa steg" in html and "Next steps" not in html
    assert "Du arbetar för Tomelilla kommun som Administratör." in html
