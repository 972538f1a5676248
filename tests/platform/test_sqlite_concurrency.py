"""A small team on SQLite: 20 people logging in at the same moment all get in (issue 8, item 16).

Runs the real stack as operators run it — gunicorn with several worker processes and threads —
against a file SQLite database made with ``manage.py migrate``, and fires 20 logins over HTTP at
once (a barrier releases the POSTs together). Before WAL, a busy timeout, ``BEGIN IMMEDIATE`` and
no session write per request, some of them failed with "database is locked".
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 20
PASSWORD = "en-lång-lösenfras-för-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        INSATS_VAR_DIR=str(db.parent),
        DJANGO_SETTINGS_MODULE="tests.platform.live_sqlite_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        INSATS_TASKS="immediate",
    )
    return env


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _log_in(port: int, email: str, barrier: threading.Barrier) -> tuple[int, str, int]:
    """GET the login form, wait for everyone, POST it; then open the start page with the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/konto/logga-in/")
    first = conn.getresponse()
    page = first.read().decode()
    cookies = _cookies(first)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, (first.status, page[:300])
    token = found.group(1)
    body = f"email={email}&password={PASSWORD}&csrfmiddlewaretoken={token}"
    barrier.wait()
    conn.request(
        "POST",
        "/konto/logga-in/",
        body=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    posted = conn.getresponse()
    text = posted.read().decode(errors="replace")
    session = _cookies(posted).get("sessionid", "")
    conn.request("GET", "/", headers={"Cookie": f"sessionid={session}"})
    home = conn.getresponse()
    home.read()
    conn.close()
    if posted.status == 302:
        detail = posted.headers["Location"]
    else:  # Django's debug page names the exception in its <title>
        found = re.search(r"<title>(.*?)</title>", text, re.S)
        detail = found.group(1).strip() if found else text[:200]
    return posted.status, detail, home.status


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "insats.sqlite3"
    env = _env(db)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    create = (
        "import django; django.setup()\n"
        "from insats.accounts.models import User\n"
        f"for i in range({PEOPLE}):\n"
        f"    User.objects.create_user(email=f'person{{i}}@example.se', password={PASSWORD!r})\n"
    )
    subprocess.run([python, "-c", create], cwd=ROOT, env=env, check=True)
    port = _free_port()
    gunicorn = Path(python).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "insats.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3", "--threads", "8"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.2)
        yield port, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_twenty_people_log_in_at_once_on_sqlite(server):
    port, db = server
    barrier = threading.Barrier(PEOPLE, timeout=120)
    results: dict[int, object] = {}

    def one(i: int) -> None:
        try:
            results[i] = _log_in(port, f"person{i}@example.se", barrier)
        except Exception as exc:  # recorded, asserted below
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(PEOPLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    failed = {i: r for i, r in results.items() if not (isinstance(r, tuple) and r[0] == 302 and r[2] == 200)}
    assert len(results) == PEOPLE
    assert failed == {}, failed


def test_sqlite_runs_wal_with_immediate_transactions_and_a_busy_timeout(settings):
    from insats import settings as insats_settings

    options = insats_settings.sqlite_options()
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
