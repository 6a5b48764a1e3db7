"""API: the org-unit tree the caller may see."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from diaodu.accounts.scope import READ_PERMS, Perm, unit_scope
from diaodu.orgunits.models import OrgUnit

router = Router(tags=["单位"])

# Units are reference data: data users see their scope, the system administrator (who maintains them) sees all.
UNIT_LIST_PERMS = (*READ_PERMS, Perm.MANAGE_CONFIG)


class OrgUnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    depth: int
    is_external: bool

    @staticmethod
    def resolve_parent_code(obj: OrgUnit) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None


def units_for(user: object) -> QuerySet[OrgUnit]:
    if unit_scope(user, UNIT_LIST_PERMS).empty:
        raise PermissionDenied(_("您的角色无权查看单位数据。"))
    return OrgUnit.objects.restrict(user, UNIT_LIST_PERMS).select_related("parent")


@router.get(
    "/orgunits",
    response=list[OrgUnitOut],
    url_name="orgunits",
    summary="单位列表",
    description="调用者数据范围内的单位，按树的先序排列（parent_code 指向上级单位）。",
)
def list_orgunits(request: HttpRequest) -> QuerySet[OrgUnit]:
    return units_for(request.auth)  # type: ignore[attr-defined]
