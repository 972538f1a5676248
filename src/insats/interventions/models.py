"""Django finds an app's models here; each sub-domain keeps its own ``models.py``."""

from insats.interventions.catalogue.models import *  # noqa: F401,F403
from insats.interventions.map.models import *  # noqa: F401,F403
from insats.interventions.plans.models import *  # noqa: F401,F403
from insats.interventions.reviews.models import *  # noqa: F401,F403
