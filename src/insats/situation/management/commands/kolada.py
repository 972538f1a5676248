"""``manage.py kolada``: fetch statistics and municipality groups from the Kolada API v3.

    manage.py kolada sync --kpi N15419,N15428 --years 2015-2024 [--municipalities 1270,1283]
    manage.py kolada groups [--title "Liknande kommuner"] [--ids G35951,G37411]
    manage.py kolada search "behöriga till yrkesprogram"

The base URL is the setting/environment variable ``KOLADA_BASE_URL`` (default
https://api.kolada.se/v3). See docs/kolada.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from insats.integrations.kolada import KoladaClient, KoladaError
from insats.situation.services import parse_years, sync_kolada, sync_kolada_groups


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


class Command(BaseCommand):
    help = "Fetch indicators and municipality groups from Kolada (api.kolada.se/v3)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("sync", help="fetch KPI values and upsert observations")
        s.add_argument("--kpi", required=True, help="comma-separated KPI ids, e.g. N15419,N15428")
        s.add_argument("--years", help="e.g. 2015-2024 or 2019,2021")
        s.add_argument(
            "--municipalities",
            help="area codes (1270, 12, 0000), Kolada ids or Kolada group ids we hold (G35951); default all",
        )
        g = sub.add_parser("groups", help="fetch Kolada municipality groups and their members")
        g.add_argument("--title", default="Liknande kommuner", help="title search")
        g.add_argument("--ids", help="comma-separated group ids instead of a title search")
        q = sub.add_parser("search", help="search KPIs by title")
        q.add_argument("title")

    def handle(self, *args, action, **options):
        self.client = KoladaClient()
        try:
            getattr(self, f"do_{action}")(**options)
        except (KoladaError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def do_sync(self, *, kpi, years, municipalities, verbosity, **_):
        year_list = parse_years(years) if years else None

        def progress(done, total):
            if verbosity > 0:
                self.stdout.write(f"  request {done}/{total}")

        report = sync_kolada(
            kpis=_split(kpi),
            years=year_list,
            municipalities=_split(municipalities) or None,
            client=self.client,
            on_progress=progress,
        )
        self.stdout.write(
            f"Kolada sync {', '.join(report.kpis)}: {report.inserted} inserted, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.withdrawn} withdrawn, "
            f"{report.skipped_unknown_area} skipped (unknown area), {report.requests} requests."
        )
        if report.group_values_written or report.group_values_unchanged:
            self.stdout.write(
                f"Kolada group averages: {report.group_values_written} written, "
                f"{report.group_values_unchanged} unchanged."
            )
        if report.missing_kpis:
            self.stdout.write(f"Skipped, no longer in Kolada: {', '.join(report.missing_kpis)}")
        if report.indicators_created:
            self.stdout.write(f"New indicators: {', '.join(report.indicators_created)}")
        for r in report.revisions:
            self.stdout.write(f"  revised {r.kpi} {r.area} {r.period} {r.gender}: {r.old} -> {r.new}")

    def do_groups(self, *, title, ids, **_):
        report = sync_kolada_groups(title=title, group_ids=_split(ids) or None, client=self.client)
        self.stdout.write(
            f"Kolada groups: {len(report.created)} created, {len(report.updated)} updated, "
            f"{report.unchanged} unchanged."
        )
        if report.unknown_members:
            self.stdout.write(f"Members not among our areas: {', '.join(report.unknown_members)}")

    def do_search(self, *, title, **_):
        for k in self.client.search_kpis(title):
            self.stdout.write(f"{k.id}\t{k.title}")
