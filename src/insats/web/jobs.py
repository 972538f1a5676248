"""Moved to :mod:`insats.platform.jobs` (helpers every layer uses).

Kept so that older imports still work.

New code imports ``insats.platform.jobs``; tests/platform/test_layering.py fails for any module
outside insats.web that imports from insats.web.
"""

from insats.platform.jobs import *  # noqa: F403
