"""Django finds an app's models here; each sub-domain keeps its own ``models.py``."""

from insats.sourcing.advisor.models import *  # noqa: F401,F403
from insats.sourcing.documents.models import *  # noqa: F401,F403
from insats.sourcing.iop.models import *  # noqa: F401,F403
from insats.sourcing.rfi.models import *  # noqa: F401,F403
