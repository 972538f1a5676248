"""The Kolada client against a local HTTP server serving recorded v3 responses (no network).

Expected values are read off the recorded files by hand (see kolada_responses/README.md).
"""

from __future__ import annotations

import email.utils
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insats.integrations.kolada import (
    KoladaClient,
    KoladaError,
    KoladaKpi,
    KoladaValue,
    chunked,
    is_preliminary,
    parse_retry_after,
)

from .kolada_stub import RESPONSES, Reply

DATA_PATH = "data/kpi/N15419,N15428/municipality/1270,1283/year/2022,2023"


def client(stub, sleep, **kw) -> KoladaClient:
    return KoladaClient(base_url=stub.base_url, sleep=sleep, **kw)


def test_base_url_comes_from_the_setting(kolada_stub):
    assert KoladaClient().base_url == kolada_stub.base_url


def test_base_url_must_be_http(settings):
    with pytest.raises(ValueError, match="KOLADA_BASE_URL"):
        KoladaClient(base_url="file:///etc/passwd")


# --------------------------------------------------------------------------- pagination


def test_data_follows_absolute_next_url_across_two_pages(kolada_stub, no_sleep):
    kolada_stub.add(DATA_PATH + "?per_page=5000", "data_page1.json")
    kolada_stub.add(DATA_PATH + "?page=2&per_page=5000", "data_page2.json")
    values = list(client(kolada_stub, no_sleep).data(["N15419", "N15428"], ["1270", "1283"], [2022, 2023]))

    assert kolada_stub.paths() == [
        "/v3/" + DATA_PATH + "?per_page=5000",
        "/v3/" + DATA_PATH + "?page=2&per_page=5000",
    ]
    assert len(values) == 24  # 8 rows × 3 genders
    cell = {(v.kpi, v.municipality, v.period, v.gender): v for v in values}
    assert cell[("N15419", "1270", 2022, "T")].value == Decimal("63.9")
    assert cell[("N15428", "1283", 2023, "K")].value == Decimal("88.1")
    missing = cell[("N15419", "1270", 2023, "M")]
    assert missing.value is None and missing.status == "Missing"
    assert not any(v.isdeleted for v in values)


def test_listing_follows_absolute_next_url(kolada_stub, no_sleep):
    kolada_stub.add("municipality?per_page=5000", "municipality_page1.json")
    kolada_stub.add("municipality?page=2&per_page=3", "municipality_page2.json")
    munis = client(kolada_stub, no_sleep).municipalities()
    assert [m.id for m in munis] == ["0000", "0012", "1270", "1283", "0680"]
    assert [m.type for m in munis] == ["L", "L", "K", "K", "K"]
    assert len(kolada_stub.requests) == 2


def test_municipality_filter_is_named_region_type_in_v3(kolada_stub, no_sleep):
    # v3 filters /municipality by ``region_type`` (K kommun, L region); v2's ``type`` is not it.
    kolada_stub.add("municipality?region_type=L&per_page=5000", "municipality_region_type_L.json")
    regions = client(kolada_stub, no_sleep).municipalities(region_type="L")
    assert [(m.id, m.type) for m in regions] == [("0000", "L"), ("0012", "L"), ("0013", "L")]
    assert kolada_stub.paths() == ["/v3/municipality?region_type=L&per_page=5000"]


def test_kpi_search_follows_next_url_across_pages(kolada_stub, no_sleep):
    kolada_stub.add("kpi?title=behöriga&per_page=5000", "kpi_search_page1.json")
    kolada_stub.add("kpi?title=behöriga&page=2&per_page=1", "kpi_search_page2.json")
    found = client(kolada_stub, no_sleep).search_kpis("behöriga")
    assert [k.id for k in found] == ["N15428", "N15436"]
    assert found[0].prel_publication_date == date(2024, 3, 15)
    assert found[0].publ_period == 2023 and found[0].is_divided_by_gender is True


@pytest.mark.parametrize(
    "link",
    ["/v3/kpi?title=x&page=2&per_page=1", "kpi?title=x&page=2&per_page=1"],
    ids=["root-relative", "path-relative"],
)
@pytest.mark.parametrize("key", ["next_url", "next_page"])
def test_relative_and_v2_links_are_still_followed(kolada_stub, no_sleep, link, key):
    first = {"values": [{"id": "N1"}], "count": 1, key: link}
    kolada_stub.add("kpi?title=x&per_page=5000", Reply(body=first))
    kolada_stub.add("kpi?title=x&page=2&per_page=1", Reply(body={"values": [{"id": "N2"}], "count": 1}))
    assert [k.id for k in client(kolada_stub, no_sleep).search_kpis("x")] == ["N1", "N2"]


def test_recorded_responses_link_pages_as_v3_does():
    """The API sends absolute ``next_url``/``previous_url`` (or null); v2's ``next_page`` is gone."""
    for path in sorted(RESPONSES.glob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        if "values" not in page:
            continue  # an error body
        assert "next_page" not in page and "previous_page" not in page, path.name
        for key in ("next_url", "previous_url"):
            assert key in page, f"{path.name}: {key} missing"
            assert page[key] is None or page[key].startswith("__BASE__/v3/"), f"{path.name}: {page[key]}"


def test_next_link_to_another_host_is_refused(kolada_stub, no_sleep):
    kolada_stub.add(
        "kpi?per_page=5000",
        Reply(body={"values": [], "count": 0, "next_url": "http://evil.example/v3/kpi?page=2"}),
    )
    with pytest.raises(KoladaError, match="another host"):
        list(client(kolada_stub, no_sleep).iter_values("kpi"))


def test_pagination_loop_is_detected(kolada_stub, no_sleep):
    kolada_stub.add(
        "kpi?per_page=5000",
        Reply(body={"values": [], "count": 0, "next_url": "kpi?per_page=5000"}),
    )
    with pytest.raises(KoladaError, match="loops"):
        list(client(kolada_stub, no_sleep).iter_values("kpi"))


# --------------------------------------------------------------------------- retries


def test_429_then_success_waits_as_retry_after_says(kolada_stub, no_sleep):
    kolada_stub.add(
        "kpi/N15419,N15428?per_page=5000",
        Reply(429, "error_429.json", {"Retry-After": "7"}),
        "kpi_N15419_N15428.json",
    )
    kpis = client(kolada_stub, no_sleep).kpis(["N15419", "N15428"])
    assert [k.id for k in kpis] == ["N15419", "N15428"]
    assert no_sleep.calls == [7.0]
    assert len(kolada_stub.requests) == 2


def test_503_then_success_backs_off_exponentially(kolada_stub, no_sleep):
    kolada_stub.add(
        "kpi/N15419,N15428?per_page=5000",
        Reply(503, "error_503.json"),
        Reply(503, "error_503.json"),
        "kpi_N15419_N15428.json",
    )
    kpis = client(kolada_stub, no_sleep, backoff=0.5).kpis(["N15419", "N15428"])
    assert len(kpis) == 2
    assert no_sleep.calls == [0.5, 1.0]  # 0.5·2⁰, 0.5·2¹


def test_retries_give_up_with_a_clear_error(kolada_stub, no_sleep):
    kolada_stub.add("kpi/N15419?per_page=5000", Reply(503, "error_503.json"))
    with pytest.raises(KoladaError, match="3 attempts.*HTTP 503") as exc:
        client(kolada_stub, no_sleep, max_retries=2).kpis(["N15419"])
    assert exc.value.status == 503
    assert no_sleep.calls == [1.0, 2.0]
    assert len(kolada_stub.requests) == 3


def test_422_is_not_retried_and_hints_at_the_limit(kolada_stub, no_sleep):
    kolada_stub.add("kpi/N15419?per_page=5000", Reply(422, {"error": "Unprocessable"}))
    with pytest.raises(KoladaError, match="422.*too many ids") as exc:
        client(kolada_stub, no_sleep).kpis(["N15419"])
    assert exc.value.status == 422
    assert no_sleep.calls == []


def test_backoff_is_capped(kolada_stub, no_sleep):
    kolada_stub.add("kpi/N15419?per_page=5000", Reply(503, "error_503.json"))
    with pytest.raises(KoladaError):
        client(kolada_stub, no_sleep, max_retries=4, backoff=10, max_backoff=25).kpis(["N15419"])
    assert no_sleep.calls == [10, 20, 25, 25]


def test_retry_after_as_http_date():
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(30.0)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# --------------------------------------------------------------------------- chunking


def test_long_id_lists_are_split_into_chunks(kolada_stub, no_sleep):
    kolada_stub.fallback = lambda path: Reply(body="empty.json")
    munis = [f"{1200 + i:04d}" for i in range(45)]  # 45 ids → 20 + 20 + 5
    years = list(range(2000, 2025))  # 25 years → 20 + 5
    c = client(kolada_stub, no_sleep, max_ids=20)
    progress = []
    assert list(c.data(["N15419"], munis, years, on_request=lambda d, t: progress.append((d, t)))) == []

    m1, m2, m3 = ",".join(munis[:20]), ",".join(munis[20:40]), ",".join(munis[40:])
    y1, y2 = ",".join(str(y) for y in range(2000, 2020)), ",".join(str(y) for y in range(2020, 2025))
    expected = [
        f"/v3/data/kpi/N15419/municipality/{m}/year/{y}?per_page=5000" for m in (m1, m2, m3) for y in (y1, y2)
    ]
    assert kolada_stub.paths() == expected
    assert progress == [(i, 6) for i in range(1, 7)]
    for path in kolada_stub.paths():
        for segment in path.split("?")[0].split("/"):
            assert segment.count(",") < 20  # never more than 20 ids in one segment


def test_data_without_municipalities_uses_the_kpi_year_form(kolada_stub, no_sleep):
    kolada_stub.add("data/kpi/N15419/year/2023?per_page=5000", "data_N15419_2023_all.json")
    values = list(client(kolada_stub, no_sleep).data(["N15419"], None, [2023]))
    assert [v.municipality for v in values] == ["0000", "0012", "1270", "G35951"]
    assert values[3].count == 7


def test_data_needs_two_dimensions():
    with pytest.raises(ValueError, match="municipalities/years"):
        KoladaClient(base_url="http://127.0.0.1:9/v3").data_requests(["N15419"])


def test_from_date_is_passed_as_query_parameter(kolada_stub, no_sleep):
    kolada_stub.fallback = lambda path: Reply(body="empty.json")
    list(client(kolada_stub, no_sleep).data(["N15419"], ["1270"], [2023], from_date=date(2024, 1, 31)))
    assert kolada_stub.paths() == [
        "/v3/data/kpi/N15419/municipality/1270/year/2023?from_date=2024-01-31&per_page=5000"
    ]


@given(st.lists(st.text(alphabet="0123456789G", min_size=1, max_size=6), max_size=80), st.integers(1, 30))
def test_chunked_keeps_order_removes_duplicates_and_respects_size(ids, size):
    chunks = chunked(ids, size)
    assert [i for c in chunks for i in c] == list(dict.fromkeys(ids))
    assert all(1 <= len(c) <= size for c in chunks)
    assert all(len(c) == size for c in chunks[:-1])


# --------------------------------------------------------------------------- groups and shapes


def test_groups_listing_and_by_id(kolada_stub, no_sleep):
    kolada_stub.add(
        "municipality_groups?title=Liknande kommuner&per_page=5000", "municipality_groups_liknande.json"
    )
    kolada_stub.add("municipality_groups/G37416?per_page=5000", "municipality_groups_G37416.json")
    c = client(kolada_stub, no_sleep)
    groups = c.municipality_groups("Liknande kommuner")
    assert [g.id for g in groups] == ["G35951", "G37416"]
    assert [m for m, _ in groups[0].members] == ["0461", "0582", "1256", "1462", "1715", "2026", "2481"]
    assert groups[1].members == ()
    (full,) = c.municipality_group(["G37416"])
    assert ("1265", "Sjöbo") in full.members and len(full.members) == 7


def test_value_row_shapes():
    rows = KoladaValue.from_data_row(
        {
            "kpi": "N15419",
            "municipality": "1270",
            "period": "2023",
            "values": [
                {"gender": "F", "value": Decimal("1.5"), "count": 1, "status": ""},
                {"gender": "T", "value": None, "count": None, "status": "Missing", "isdeleted": True},
            ],
        }
    )
    assert [(r.gender, r.period, r.value, r.isdeleted) for r in rows] == [
        ("K", 2023, Decimal("1.5"), False),
        ("T", 2023, None, True),
    ]
    with pytest.raises(KoladaError, match="period"):
        KoladaValue.from_data_row({"kpi": "N1", "municipality": "1270", "period": None, "values": []})


# --------------------------------------------------------------------------- preliminary rule


KPI = KoladaKpi(
    id="N15428",
    title="t",
    publ_period=2023,
    prel_publication_date=date(2024, 3, 15),
    publication_date=date(2024, 9, 30),
)


def _v(period, status=""):
    return KoladaValue("N15428", "1270", period, "T", Decimal(1), 1, status, False)


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        (2023, date(2024, 3, 14), False),  # before the preliminary publication
        (2023, date(2024, 3, 15), True),  # published preliminary that day
        (2023, date(2024, 9, 29), True),
        (2023, date(2024, 9, 30), False),  # final publication day
        (2022, date(2024, 5, 1), False),  # an earlier year is final
    ],
)
def test_preliminary_window(period, today, expected):
    assert is_preliminary(_v(period), KPI, today) is expected


def test_preliminary_from_status_and_without_metadata():
    assert is_preliminary(_v(2020, status="Preliminärt"), None, date(2024, 1, 1)) is True
    assert is_preliminary(_v(2023), None, date(2024, 5, 1)) is False
    no_prel = KoladaKpi(id="N15419", title="t", publ_period=2023, publication_date=date(2024, 9, 30))
    assert is_preliminary(_v(2023), no_prel, date(2024, 5, 1)) is False


def test_organisational_units_by_municipality(kolada_stub, no_sleep):
    kolada_stub.add(
        "ou?municipality=1270&per_page=5000",
        Reply(
            body={
                "count": 2,
                "values": [
                    {"id": "V15E127000101", "municipality": "1270", "title": "Byavångsskolan"},
                    {"id": "V15E127000301", "municipality": "1270", "title": "Lindesborgsskolan"},
                ],
                "next_url": None,
                "previous_url": None,
            }
        ),
    )
    units = client(kolada_stub, no_sleep).ous(municipality="1270")
    assert [(u.id, u.municipality) for u in units] == [("V15E127000101", "1270"), ("V15E127000301", "1270")]


@given(st.floats(0.01, 10), st.floats(1, 500), st.integers(0, 12))
def test_backoff_doubles_until_the_cap(backoff, cap, attempt):
    c = KoladaClient(base_url="http://127.0.0.1:9/v3", backoff=backoff, max_backoff=cap)
    assert c._delay(attempt, None) == min(backoff * 2**attempt, cap)
    assert c._delay(attempt, 3.0) == min(3.0, cap)  # Retry-After wins over the backoff
