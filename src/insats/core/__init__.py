"""insats.core: every number Insats shows is computed here.

Pure Python + NumPy. Nothing in this package may import Django (tests/core/test_no_django.py
enforces it). Inputs and outputs are plain pydantic models with a documented JSON form
(docs/core.md); ``python -m insats.core COMMAND FILE|-`` is the command-line interface.
"""
