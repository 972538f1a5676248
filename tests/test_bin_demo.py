"""``bin/demo`` as a newcomer meets it: the port from $PORT, the URL it serves printed, and Insats's
own 404 page (not Django's debug page) although the demo is built with DEBUG on.

Runs the real script (``--serve-only``: no setup or demo build, which take minutes) against a
migrated throw-away SQLite database, and talks to the server over HTTP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env |= {"DATABASE_URL": f"sqlite:///{db}", "INSATS_ENV": "development", "DEBUG": "1"}
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    env.pop("DEBUG")
    return env


def start(env, *args):
    return subprocess.Popen(
        [str(ROOT / "bin/demo"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        return proc.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.communicate()[0]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - our own local server
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(url, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("bin/demo exited: " + stop(proc))
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url}")


def test_serves_on_port_from_the_environment_prints_the_url_and_shows_insats_404(demo_env):
    port = free_port()
    proc = start(demo_env | {"PORT": str(port)}, "--serve-only")
    try:
        status, html = wait_for(f"http://127.0.0.1:{port}/finns-inte/", proc)
        assert status == 404
        assert "Sidan finns inte" in html and "Insats" in html
        assert "Django" not in html and "technical" not in html.lower()  # not the debug page
        css_status, _css = get(f"http://127.0.0.1:{port}/static/insats/css/insats.css")
        assert css_status == 200  # static files still served (runserver --insecure)
    finally:
        out = stop(proc)
    assert f"http://127.0.0.1:{port}/" in out


def test_a_bad_port_is_refused_with_a_clear_message(demo_env):
    proc = start(demo_env | {"PORT": "eighty"}, "--serve-only")
    out = stop(proc) if proc.wait(timeout=20) is None else proc.communicate()[0]
    assert proc.returncode == 2
    assert "PORT must be a port number" in out
