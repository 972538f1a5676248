"""``/samverkan/``: one namespace, the patterns of each sub-domain."""

from insats.sourcing.advisor import urls as advisor
from insats.sourcing.grants import urls as grants
from insats.sourcing.invitations import urls as invitations
from insats.sourcing.iop import urls as iop
from insats.sourcing.rfi import urls as rfi
from insats.sourcing.secrecy import urls as secrecy

app_name = "sourcing"

urlpatterns = [
    *advisor.urlpatterns,
    *rfi.urlpatterns,
    *secrecy.urlpatterns,
    *grants.urlpatterns,
    *iop.urlpatterns,
    *invitations.urlpatterns,
]
