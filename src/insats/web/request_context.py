"""Moved to :mod:`insats.platform.request_context` (helpers every layer uses).

Kept so that older imports still work.

New code imports ``insats.platform.request_context``; tests/platform/test_layering.py fails for any module
outside insats.web that imports from insats.web.
"""

from insats.platform.request_context import *  # noqa: F403
