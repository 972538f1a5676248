"""README's "What exists today" agrees with the product: a lifecycle step is marked as existing
exactly when its page exists (the main navigation's rule)."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from insats.web.nav import LIFECYCLE

README = Path(__file__).resolve().parents[1] / "README.md"


def _steps_in_readme() -> dict[str, bool]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## What exists today", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| \d\. ([^|]+) \| (.+) \|$", section, flags=re.M)
    return {name.strip(): cell.startswith("**exists**") for name, cell in rows}


def _exists(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def test_readme_names_every_lifecycle_step_and_which_exist():
    in_readme = _steps_in_readme()
    with translation.override("sv"):  # the README names the steps as the Swedish navigation does
        labels = [str(item.label) for item in LIFECYCLE]
    assert list(in_readme) == labels
    for item, label in zip(LIFECYCLE, labels, strict=True):
        assert in_readme[label] == _exists(item.url_name), label
