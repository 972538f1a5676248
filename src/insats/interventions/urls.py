"""``/insatser/``: one namespace, the patterns of each sub-domain."""

from insats.interventions.catalogue import urls as catalogue
from insats.interventions.map import urls as map_urls
from insats.interventions.plans import urls as plans
from insats.interventions.reviews import urls as reviews
from insats.interventions.sharing import urls as sharing

app_name = "interventions"

urlpatterns = [*catalogue.urlpatterns, *map_urls.urlpatterns, *reviews.urlpatterns, *plans.urlpatterns]
urlpatterns += sharing.urlpatterns
