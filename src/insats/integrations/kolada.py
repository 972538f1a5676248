"""A client for the Kolada API v3 (https://api.kolada.se/v3), RKA's open municipal statistics.

No Django models here and no third-party HTTP library: plain ``urllib.request``. What the API
looks like, and where each fact comes from, is written down in ``docs/kolada.md``. In short:

* every response is ``{"values": [...], "count": n, "next_url"|"next_page": link|null, ...}``;
  v3 names the link ``next_url`` (``previous_url``), v2 named it ``next_page`` (``previous_page``).
  :meth:`KoladaClient.iter_pages` follows whichever the page carries, absolute or relative;
* data are fetched in the *path* form ``/data/kpi/{ids}/municipality/{ids}/year/{years}`` with
  comma-separated lists; too many ids in one segment is refused (HTTP 422), so lists are cut into
  chunks of at most ``max_ids`` (default 20) and every combination of chunks is one request;
* ``per_page`` is at most 5000;
* 429 and 5xx answers, and network errors, are retried with exponential backoff that honours
  ``Retry-After``; the ``sleep`` function is injectable so tests never wait.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
MAX_PER_PAGE = 5000
DEFAULT_MAX_IDS = 20
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Insats/0.1 (+https://github.com/; kolada client)"
NEXT_LINK_KEYS = ("next_url", "next_page")
GENDERS = ("T", "K", "M")


class KoladaError(Exception):
    """The Kolada API answered with an error, or could not be reached after all retries."""

    def __init__(self, message: str, *, status: int | None = None, url: str = ""):
        super().__init__(message)
        self.status = status
        self.url = url


# --------------------------------------------------------------------------- parsed shapes


@dataclass(frozen=True)
class KoladaKpi:
    id: str
    title: str
    description: str = ""
    municipality_type: str = ""
    is_divided_by_gender: bool = False
    operating_area: str = ""
    perspective: str = ""
    auspice: str = ""
    has_ou_data: bool = False
    publ_period: int | None = None
    publication_date: date | None = None
    prel_publication_date: date | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KoladaKpi:
        return cls(
            id=str(obj["id"]),
            title=str(obj.get("title") or ""),
            description=str(obj.get("description") or ""),
            municipality_type=str(obj.get("municipality_type") or ""),
            is_divided_by_gender=bool(obj.get("is_divided_by_gender") or False),
            operating_area=str(obj.get("operating_area") or ""),
            perspective=str(obj.get("perspective") or ""),
            auspice=str(obj.get("auspice") or obj.get("auspices") or ""),
            has_ou_data=bool(obj.get("has_ou_data") or False),
            publ_period=_int_or_none(obj.get("publ_period")),
            publication_date=_date_or_none(obj.get("publication_date")),
            prel_publication_date=_date_or_none(obj.get("prel_publication_date")),
        )


@dataclass(frozen=True)
class KoladaMunicipality:
    id: str
    title: str
    type: str  # "K" kommun, "L" region (landsting); the v3 filter on /municipality is ``region_type``

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KoladaMunicipality:
        return cls(id=str(obj["id"]), title=str(obj.get("title") or ""), type=str(obj.get("type") or ""))


@dataclass(frozen=True)
class KoladaGroup:
    id: str
    title: str
    members: tuple[tuple[str, str], ...] = ()  # (id, title)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KoladaGroup:
        members = []
        for m in obj.get("members") or []:
            if isinstance(m, dict):
                # v3 (and rKolada's unnest) use member_id/member_title; the v2 README shows id/title.
                mid = m.get("member_id", m.get("id"))
                mtitle = m.get("member_title", m.get("title", ""))
            else:
                mid, mtitle = m, ""
            if mid is not None:
                members.append((str(mid), str(mtitle or "")))
        return cls(id=str(obj["id"]), title=str(obj.get("title") or ""), members=tuple(members))


@dataclass(frozen=True)
class KoladaOu:
    id: str
    title: str
    municipality: str

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KoladaOu:
        return cls(
            id=str(obj["id"]),
            title=str(obj.get("title") or ""),
            municipality=str(obj.get("municipality") or ""),
        )


@dataclass(frozen=True)
class KoladaValue:
    """One cell: (kpi, municipality, period, gender) → value. ``value`` is None when missing."""

    kpi: str
    municipality: str
    period: int
    gender: str
    value: Decimal | None
    count: int | None
    status: str
    isdeleted: bool

    @classmethod
    def from_data_row(cls, row: dict[str, Any]) -> list[KoladaValue]:
        """Flatten one ``{kpi, municipality, period, values: [...]}`` row into its gender cells."""
        out = []
        period = _int_or_none(row.get("period"))
        if period is None:
            raise KoladaError(f"data row without a usable period: {row!r}")
        for v in row.get("values") or []:
            gender = str(v.get("gender") or "T")
            if gender == "F":  # the v2 README writes T|K|F; Kolada's data use K for kvinnor
                gender = "K"
            raw = v.get("value")
            out.append(
                cls(
                    kpi=str(row["kpi"]),
                    municipality=str(row["municipality"]),
                    period=period,
                    gender=gender,
                    value=None if raw is None else Decimal(str(raw)),
                    count=_int_or_none(v.get("count")),
                    status=str(v.get("status") or ""),
                    isdeleted=bool(v.get("isdeleted") or False),
                )
            )
        return out


def is_preliminary(value: KoladaValue, kpi: KoladaKpi | None, today: date) -> bool:
    """Our rule for "preliminary" (docs/kolada.md, "Preliminary values").

    1. a value whose ``status`` mentions "prel" (defensive: Kolada documents no status vocabulary);
    2. a value for the KPI's ``publ_period`` while the preliminary publication has happened
       (``prel_publication_date`` ≤ today) and the final one has not (``publication_date`` is
       later than today, or unknown).
    """
    if "prel" in value.status.lower():
        return True
    if kpi is None or kpi.prel_publication_date is None or kpi.publ_period is None:
        return False
    if value.period != kpi.publ_period:
        return False
    if kpi.prel_publication_date > today:
        return False
    return kpi.publication_date is None or kpi.publication_date > today


# --------------------------------------------------------------------------- helpers


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _date_or_none(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def chunked(items: Sequence[str], size: int) -> list[list[str]]:
    """Cut ``items`` into lists of at most ``size`` (order kept, duplicates removed)."""
    if size < 1:
        raise ValueError("max_ids must be at least 1")
    unique = list(dict.fromkeys(str(i) for i in items))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def parse_retry_after(header: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def default_base_url() -> str:
    try:
        from django.conf import settings

        configured = getattr(settings, "KOLADA_BASE_URL", None)
    except Exception:  # noqa: BLE001 - Django not configured: plain library use
        configured = None
    return (configured or os.environ.get("KOLADA_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


@dataclass
class DataRequest:
    """One path-form data request: ids for each segment (years as strings)."""

    kpis: list[str]
    municipalities: list[str] | None
    years: list[str] | None

    def path(self) -> str:
        q = urllib.parse.quote
        parts = ["data", "kpi", q(",".join(self.kpis), safe=",")]
        if self.municipalities:
            parts += ["municipality", q(",".join(self.municipalities), safe=",")]
        if self.years:
            parts += ["year", ",".join(self.years)]
        return "/".join(parts)


# --------------------------------------------------------------------------- the client


@dataclass
class KoladaClient:
    base_url: str = field(default_factory=default_base_url)
    timeout: float = 60.0
    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 120.0
    per_page: int = MAX_PER_PAGE
    max_ids: int = DEFAULT_MAX_IDS
    sleep: Callable[[float], None] = time.sleep
    user_agent: str = USER_AGENT
    requests_made: int = 0

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        parsed = urllib.parse.urlsplit(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"KOLADA_BASE_URL must be an http(s) URL, got {self.base_url!r}")
        self._origin = (parsed.scheme, parsed.netloc)

    # -- transport -----------------------------------------------------------------------

    def url_for(self, path: str, params: dict[str, Any] | None = None) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        if clean:
            url += "?" + urllib.parse.urlencode(clean)
        return url

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        return min(self.backoff * (2**attempt), self.max_backoff)

    def get_json(self, url: str) -> dict[str, Any]:
        """GET ``url`` and parse the JSON body (floats as Decimal), retrying 429/5xx/network errors."""
        if urllib.parse.urlsplit(url)[:2] != self._origin:
            raise KoladaError(f"refusing to follow a link to another host: {url}", url=url)
        attempt = 0
        while True:
            request = urllib.request.Request(  # noqa: S310 - scheme checked in __post_init__/origin
                url, headers={"Accept": "application/json", "User-Agent": self.user_agent}
            )
            retry_after: float | None = None
            try:
                self.requests_made += 1
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    body = response.read()
                try:
                    return json.loads(body.decode("utf-8"), parse_float=Decimal)
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise KoladaError(f"Kolada answered with something that is not JSON: {exc}", url=url)
            except urllib.error.HTTPError as exc:
                status = exc.code
                detail = _error_detail(exc)
                if status not in RETRY_STATUSES:
                    hint = " (too many ids in one request, or per_page too large?)" if status == 422 else ""
                    raise KoladaError(
                        f"Kolada answered HTTP {status}{hint}: {detail}", status=status, url=url
                    )
                retry_after = parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                reason = f"HTTP {status}"
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
                status = None
                reason = f"network error: {getattr(exc, 'reason', exc)}"
            if attempt >= self.max_retries:
                raise KoladaError(
                    f"Kolada did not answer after {attempt + 1} attempts ({reason})", status=status, url=url
                )
            wait = self._delay(attempt, retry_after)
            log.warning("Kolada %s for %s; retrying in %.1f s", reason, url, wait)
            self.sleep(wait)
            attempt += 1

    def iter_pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a listing, following ``next_url`` or ``next_page`` until there is none."""
        params = dict(params or {})
        params.setdefault("per_page", self.per_page)
        url: str | None = self.url_for(path, params)
        seen: set[str] = set()
        while url:
            if url in seen:
                raise KoladaError(f"pagination loops back to {url}", url=url)
            seen.add(url)
            page = self.get_json(url)
            if not isinstance(page, dict) or "values" not in page:
                raise KoladaError("a Kolada page without 'values'", url=url)
            yield page
            link = next((page.get(k) for k in NEXT_LINK_KEYS if page.get(k)), None)
            url = urllib.parse.urljoin(url, str(link)) if link else None

    def iter_values(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        for page in self.iter_pages(path, params):
            yield from page["values"]

    # -- metadata ------------------------------------------------------------------------

    def search_kpis(self, title: str) -> list[KoladaKpi]:
        return [KoladaKpi.from_json(v) for v in self.iter_values("kpi", {"title": title})]

    def kpis(self, ids: Iterable[str]) -> list[KoladaKpi]:
        out = []
        for chunk in chunked(list(ids), self.max_ids):
            out += [KoladaKpi.from_json(v) for v in self.iter_values("kpi/" + ",".join(chunk))]
        return out

    def municipalities(
        self, title: str | None = None, region_type: str | None = None
    ) -> list[KoladaMunicipality]:
        """Kommuner and regioner; v3 filters by ``region_type`` ("K" kommun, "L" region incl. Riket)."""
        params = {"title": title, "region_type": region_type}
        return [KoladaMunicipality.from_json(v) for v in self.iter_values("municipality", params)]

    def municipality_groups(self, title: str | None = None) -> list[KoladaGroup]:
        return [KoladaGroup.from_json(v) for v in self.iter_values("municipality_groups", {"title": title})]

    def municipality_group(self, ids: Iterable[str]) -> list[KoladaGroup]:
        out = []
        for chunk in chunked(list(ids), self.max_ids):
            path = "municipality_groups/" + ",".join(chunk)
            out += [KoladaGroup.from_json(v) for v in self.iter_values(path)]
        return out

    def ous(self, title: str | None = None, municipality: str | None = None) -> list[KoladaOu]:
        params = {"title": title, "municipality": municipality}
        return [KoladaOu.from_json(v) for v in self.iter_values("ou", params)]

    # -- data ----------------------------------------------------------------------------

    def data_requests(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None = None,
        years: Sequence[int | str] | None = None,
    ) -> list[DataRequest]:
        """The chunked path-form requests that together cover kpis × municipalities × years."""
        if not kpis:
            raise ValueError("kpis: at least one KPI id is needed")
        if not municipalities and not years:
            raise ValueError("municipalities/years: Kolada needs a second dimension besides the KPI")
        kpi_chunks = chunked(list(kpis), self.max_ids)
        muni_chunks: list[list[str] | None] = (
            chunked(list(municipalities), self.max_ids) if municipalities else [None]
        )
        year_chunks: list[list[str] | None] = (
            chunked([str(y) for y in years], self.max_ids) if years else [None]
        )
        return [DataRequest(k, m, y) for k in kpi_chunks for m in muni_chunks for y in year_chunks]

    def data(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None = None,
        years: Sequence[int | str] | None = None,
        *,
        from_date: date | str | None = None,
        on_request: Callable[[int, int], None] | None = None,
    ) -> Iterator[KoladaValue]:
        """Every value for the given KPIs, municipalities (Kolada ids) and years, flattened per gender.

        ``on_request(done, total)`` is called after each chunked request has been read to the end.
        """
        requests = self.data_requests(kpis, municipalities, years)
        params = {"from_date": from_date.isoformat() if isinstance(from_date, date) else from_date}
        for i, req in enumerate(requests, start=1):
            for row in self.iter_values(req.path(), params):
                yield from KoladaValue.from_data_row(row)
            if on_request:
                on_request(i, len(requests))


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read()[:500].decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        body = ""
    return body.strip() or str(exc.reason)
