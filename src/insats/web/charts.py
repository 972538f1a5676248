"""Moved to :mod:`insats.platform.charts` (helpers every layer uses).

Kept so that older imports still work.

New code imports ``insats.platform.charts``; tests/platform/test_layering.py fails for any module
outside insats.web that imports from insats.web.
"""

from insats.platform.charts import *  # noqa: F403
