"""Load: gunicorn with the production settings against the development server, side by
side, on loopback, against PostgreSQL (issue 19). Run on demand:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m bench.production

It loads the demo data into a database of its own (``bench_production`` on the same
server, made anew), starts both servers, and for 10, 50 and 100 concurrent clients (keep-
alive HTTP/1.1 clients in threads; ``BENCH_SECONDS`` each, default 5) asks the public list,
a search, a response page, the API list and the officers' request list (a signed-in FOI
officer's session), printing requests per second, p50/p95/p99 latency and errors, and the
ratio of gunicorn's figures to the development server's. Goal: p95 under 100 ms at 50
clients for public pages on a 2-core machine, and no errors at 100.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "10,50,100").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))


def _database_url() -> str:
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    with psycopg.connect(base._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_production WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_production")
    return base._replace(path="/bench_production").geturl()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no server on {port}")


def _officer_cookie(env: dict) -> str:
    """A session of the demo FOI officer, signed in with the second factor."""
    code = (
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, "
        "HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from django_otp import DEVICE_ID_SESSION_KEY\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "u = get_user_model().objects.get(username='officer')\n"
        "d = TOTPDevice.objects.filter(user=u, confirmed=True).first()\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(u.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
        "s[DEVICE_ID_SESSION_KEY] = d.persistent_id\n"
        "s.create()\n"
        "print(s.session_key)\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return f"sessionid={out.stdout.strip().splitlines()[-1]}"


def _first_response_path(env: dict) -> str:
    code = (
        "from foiregister.disclosure.models import DisclosureLogEntry\n"
        "e = DisclosureLogEntry.objects.filter(withdrawn_at__isnull=True).first()\n"
        "print(f'/responses/{e.public_id}/' if e else '/')\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    lines = out.stdout.strip().splitlines()
    return lines[-1] if out.returncode == 0 and lines else "/"


def _load(port: int, path: str, clients: int, headers: dict) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                answer = conn.getresponse()
                answer.read()
                if answer.status != 200:  # a redirect to sign-in is not a page
                    bad += 1
                mine.append(time.perf_counter() - start)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "rps": len(latencies) / SECONDS,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "errors": errors,
    }


def main() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TEST_DATABASE_NAME": "",
        "PUBLIC_SEARCH_RATE": "1000000/second",
        "API_ANON_RATE": "100000000/hour",
        "LOG_LEVEL": "ERROR",
    }
    run = dict(cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], **run)
    subprocess.run([sys.executable, "manage.py", "load_demo"], **run, stdout=subprocess.DEVNULL)
    production = {
        **env,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "GUNICORN_ACCESS_LOG": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=production, check=True,
    )  # fmt: skip
    gport, dport = _free_port(), _free_port()
    servers = {
        "gunicorn": subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
             "-b", f"127.0.0.1:{gport}", "config.wsgi:application"],
            cwd=ROOT, env=production, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
        "runserver": subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{dport}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    }  # fmt: skip
    ports = {"gunicorn": gport, "runserver": dport}
    try:
        for port in ports.values():
            _wait(port)
        cookie = _officer_cookie(env)
        pages = {
            "public list": ("/", {}),
            "search": ("/?q=imaging", {}),
            "response page": (_first_response_path(env), {}),
            "API list": ("/api/v1/responses/", {}),
            "officers' requests": ("/admin/foiregister/request/", {"Cookie": cookie}),
        }
        print(f"{'page':<20}{'clients':>8}  {'server':<10}{'rps':>8}{'p50 ms':>9}"
              f"{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")  # fmt: skip
        for label, (path, headers) in pages.items():
            for clients in CLIENTS:
                figures = {}
                for name, port in ports.items():
                    figures[name] = f = _load(port, path, clients, headers)
                    print(f"{label:<20}{clients:>8}  {name:<10}{f['rps']:>8.1f}{f['p50']:>9.1f}"
                          f"{f['p95']:>9.1f}{f['p99']:>9.1f}{f['errors']:>8}")  # fmt: skip
                g, d = figures["gunicorn"], figures["runserver"]
                ratio = g["rps"] / d["rps"] if d["rps"] else float("inf")
                print(f"{'':<28}gunicorn/runserver rps x{ratio:.2f}")
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
