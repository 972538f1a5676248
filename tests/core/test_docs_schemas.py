"""docs/core.md publishes the JSON Schema of every command's input and output; it must be current."""

from pathlib import Path

from insats.core import schemas
from insats.core.__main__ import COMMANDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "core.md"


def test_the_published_schemas_match_the_models():
    text = DOC.read_text(encoding="utf-8")
    hint = "run: PYTHONPATH=src python -m insats.core.schemas --write docs/core.md"
    assert schemas.markdown() in text, hint


def test_every_command_has_an_input_and_an_output_schema():
    found = schemas.schemas()
    assert set(found) == set(COMMANDS)
    for command, pair in found.items():
        assert pair["input"].get("type") == "object", command
        assert pair["input"].get("properties"), command
        assert pair["output"].get("properties"), command
