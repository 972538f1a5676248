"""Areas (loaded by migration), area groups, indicator and observation constraints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from insats.audit.models import AuditEntry
from insats.situation import selectors, services
from insats.situation.models import (
    Area,
    AreaGroup,
    AreaGroupKind,
    AreaKind,
    Indicator,
    IndicatorSource,
    Observation,
)

pytestmark = pytest.mark.django_db


def test_the_migration_loaded_290_kommuner_21_regioner_and_riket():
    assert Area.objects.filter(kind=AreaKind.KOMMUN).count() == 290
    assert Area.objects.filter(kind=AreaKind.REGION).count() == 21
    assert list(Area.objects.filter(kind=AreaKind.RIKET).values_list("code", "kolada_id")) == [
        ("0000", "0000")
    ]


def test_codes_are_unique_and_every_kommuns_lan_exists():
    codes = list(Area.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 312
    regions = set(Area.objects.filter(kind=AreaKind.REGION).values_list("code", flat=True))
    for kommun in Area.objects.filter(kind=AreaKind.KOMMUN):
        assert kommun.county_code == kommun.code[:2]
        assert kommun.county_code in regions, kommun
        assert kommun.kolada_id == kommun.code
    for region in Area.objects.filter(kind=AreaKind.REGION):
        assert region.kolada_id == "00" + region.code


@pytest.mark.parametrize(
    ("code", "name", "county"),
    [
        ("1270", "Tomelilla", "12"),
        ("1283", "Helsingborg", "12"),
        ("0680", "Jönköping", "06"),
        ("0180", "Stockholm", "01"),
        ("0980", "Gotland", "09"),
        ("2584", "Kiruna", "25"),
        ("1267", "Höör", "12"),
        ("1480", "Göteborg", "14"),
    ],
)
def test_known_codes(code, name, county):
    area = Area.objects.get(code=code)
    assert (area.name, area.county_code) == (name, county)


def test_kommuner_per_lan_match_scb():
    # Number of kommuner per län (SCB, 2024), written down independently of the data file.
    expected = {
        "01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1, "10": 5, "12": 33,
        "13": 6, "14": 49, "17": 16, "18": 12, "19": 10, "20": 15, "21": 10, "22": 7, "23": 8, "24": 15,
        "25": 14,
    }  # fmt: skip
    for county, n in expected.items():
        assert selectors.kommuner(county).count() == n, county
    assert Area.objects.get(code="1270").county.name == "Region Skåne"


def test_load_areas_is_idempotent_and_repairs_with_one_audit_entry():
    before = AuditEntry.objects.count()
    assert services.load_areas() == {"created": 0, "updated": 0, "total": 312}
    assert AuditEntry.objects.count() == before  # nothing changed, nothing logged

    Area.objects.filter(code="1270").update(name="Tomelila")
    Area.objects.filter(code="1283").delete()
    summary = services.load_areas()
    assert summary == {"created": 1, "updated": 1, "total": 312}
    assert Area.objects.get(code="1270").name == "Tomelilla"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "situation.areas.loaded"
    assert entry.changes["created_codes"] == ["1283"]
    assert entry.changes["updated_fields"] == {"1270": {"name": ["Tomelila", "Tomelilla"]}}


def test_load_areas_command(capsys):
    call_command("load_areas")
    assert "0 created, 0 updated, 312 in total" in capsys.readouterr().out


def test_area_file_errors_name_the_problem(tmp_path):
    head = "code,kolada_id,kind,name,county_code\n"
    bad = tmp_path / "areas.csv"
    bad.write_text(
        head + "12,0012,region,Region Skåne,12\n1270,1270,kommun,Tomelilla,12\n1270,1271,kommun,X,12\n"
    )
    with pytest.raises(ValueError, match="duplicate code: 1270"):
        services.read_area_file(bad)
    bad.write_text(head + "1270,1270,kommun,Tomelilla,12\n")
    with pytest.raises(ValueError, match="län is missing: 1270"):
        services.read_area_file(bad)
    bad.write_text(head + "12,0012,region,Region Skåne,12\n1270,1270,kommun,Tomelilla,13\n")
    with pytest.raises(ValueError, match="line 3: county_code"):
        services.read_area_file(bad)


def test_user_area_group_is_audited(world):
    owner = world.orgs["owner"]
    admin = world.user("owner", "admin")
    skane = list(Area.objects.filter(code__in=["1266", "1265", "1291"]))
    group = services.area_group_create(
        actor=admin, organisation=owner, name="Österlen och grannar", members=skane
    )
    assert sorted(group.members.values_list("code", flat=True)) == ["1265", "1266", "1291"]
    services.area_group_set_members(actor=admin, group=group, members=skane[:1])
    entries = AuditEntry.objects.filter(object_type="situation.areagroup", object_id=str(group.pk)).order_by(
        "seq"
    )
    assert [e.action for e in entries] == [
        "situation.area_group.created",
        "situation.area_group.members_changed",
    ]
    assert entries[1].changes["members"] == [["1265", "1266", "1291"], [skane[0].code]]
    assert group in selectors.area_groups_for(owner)
    assert group not in selectors.area_groups_for(world.orgs["unrelated"])


def test_area_group_kind_and_owner_must_agree(world):
    with pytest.raises(ValidationError):
        AreaGroup(name="x", kind=AreaGroupKind.USER, kolada_id="").full_clean()
    with pytest.raises(ValidationError):
        AreaGroup(
            name="x", kind=AreaGroupKind.KOLADA, kolada_id="G1", organisation=world.orgs["owner"]
        ).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        AreaGroup.objects.create(name="x", kind=AreaGroupKind.KOLADA, kolada_id="")


def test_kolada_group_members_are_not_edited_by_hand():
    group = AreaGroup.objects.create(name="Liknande", kind=AreaGroupKind.KOLADA, kolada_id="G1")
    with pytest.raises(ValidationError):
        services.area_group_set_members(actor=None, group=group, members=[])


def test_observation_cell_is_unique():
    ind = Indicator.objects.create(
        code="N15419", title_sv="t", source=IndicatorSource.KOLADA, kolada_kpi_id="N15419"
    )
    area = Area.objects.get(code="1270")
    Observation.objects.create(
        area=area, indicator=ind, period=2023, gender="T", value=Decimal("1"), source=IndicatorSource.KOLADA
    )
    Observation.objects.create(
        area=area, indicator=ind, period=2023, gender="K", value=None, source=IndicatorSource.KOLADA
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Observation.objects.create(
            area=area,
            indicator=ind,
            period=2023,
            gender="T",
            value=Decimal("2"),
            source=IndicatorSource.KOLADA,
        )
    assert [o.gender for o in selectors.cross_section(ind, 2023, gender="K")] == ["K"]
    assert [o.value for o in selectors.series(ind, area)] == [Decimal("1")]


def test_shared_indicator_codes_are_unique_but_organisations_may_reuse_them(world):
    Indicator.objects.create(code="X1", title_sv="a", source=IndicatorSource.SCB)
    Indicator.objects.create(
        code="X1", title_sv="b", source=IndicatorSource.OWN, organisation=world.orgs["owner"]
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Indicator.objects.create(code="X1", title_sv="c", source=IndicatorSource.SCB)
    with pytest.raises(ValidationError, match="kolada_kpi_id"):
        Indicator(code="N1", title_sv="t", source=IndicatorSource.KOLADA).full_clean()
    codes = sorted(selectors.indicators_for(world.orgs["owner"]).values_list("title_sv", flat=True))
    assert codes == ["a", "b"]
    assert list(selectors.indicators_for(world.orgs["unrelated"]).values_list("title_sv", flat=True)) == ["a"]
