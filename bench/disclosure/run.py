"""Disclosure-log search and list latency with 100,000 published responses, and a short
bounded load run against a local server (loopback only). On demand:
``python -m bench.disclosure [--entries N] [--seconds S]``.

Uses its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/bench_disclosure``), created and migrated if missing.
Rows are bulk-inserted, not published through the service: the bench measures reads.

Figures on the 2-core development machine, 23 November 2026 (targets: search p95 under
100 ms, list and API p95 under 50 ms), with 100,000 responses, one visitor at a time:

    search 'ultrasound waiting' (20,000 matches)   p50 23 ms   p95 33 ms  (was 212 / 304)
    search 'MRI scanner contracts' (5,000)         p50 41 ms   p95 46 ms  (was 92 / 145)
    page: list / search / response                 p95 19 / 35 / 17 ms
    api: list / search                             p95 21 / 27 ms

The load run (wsgiref, pure Python, two processes) queues: 75 req/s with 8 clients
(p95 130-210 ms), 39 req/s with 2 clients (p95 58-101 ms), on a machine shared with
other work.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from bench import dataset

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_disclosure")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["API_ANON_RATE"] = "1000000/hour"  # the bench measures the app, not throttling
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# Production mode, as a deployment runs: cached templates, no query log.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
# Static files are not collected for the bench; WhiteNoise says so on every start.
warnings.filterwarnings("ignore", message="No directory at")

QUERIES = ["imaging", "MRI scanner contracts", "ultrasound waiting", "agency staff spend",
           "car parking", "\"community diagnostic centre\"", "insourcing -ultrasound"]  # fmt: skip
TOPICS = ["Imaging", "Workforce", "Estates", "Finance", "Procurement"]
WORDS = ("contract supplier MRI CT ultrasound scanner lease agency staffing parking estate "
         "waiting list diagnostic centre insourcing outsourcing spend budget policy").split()  # fmt: skip


def ensure_database() -> None:
    import psycopg

    name = URL.rsplit("/", 1)[1]
    with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname=%s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def populate(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from foiregister.disclosure.models import DisclosureLogEntry
    from foiregister.requests.models import Request

    have = DisclosureLogEntry.objects.count()
    if have >= n:
        return
    user, _ = get_user_model().objects.get_or_create(username="bench-lead")
    orgs = dataset.organisations(20)
    requesters = {o.pk: dataset.requester(o) for o in orgs}
    today = timezone.localdate()
    batch = 5000
    for start in range(have, n, batch):
        stop = min(n, start + batch)
        requests = []
        for i in range(start, stop):
            org = orgs[i % len(orgs)]
            words = " ".join(WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7, 11))
            requests.append(
                dataset.request(
                    i,
                    organisation=org,
                    received=today - datetime.timedelta(days=i % 1500 + 30),
                    title=f"Request {i}: {words}",
                    requester=requesters[org.pk],
                    status=Request.Status.RESPONDED,
                    outcome="granted",
                    topic=TOPICS[i % len(TOPICS)],
                )
            )
        Request.objects.bulk_create(requests)
        entries = []
        for r in requests:
            qs = [
                {"number": k, "text": f"How many {r.title.split(': ')[1]} in year {k}?",
                 "answer": f"We hold {k * 3} {WORDS[k % len(WORDS)]} records.",
                 "answer_kind": "provided", "answer_kind_label": "Provided",
                 "elsewhere_url": "", "exemptions": []}
                for k in range(1, 6)
            ]  # fmt: skip
            doc = "\n".join([r.title] + [q["text"] + "\n" + q["answer"] for q in qs])
            entries.append(
                DisclosureLogEntry(
                    request=r,
                    organisation_id=r.organisation_id,
                    reference=r.reference,
                    title=r.title,
                    topic=r.topic,
                    regime="foi",
                    outcome="granted",
                    received_on=r.received_at.date(),
                    questions=qs,
                    search_document=doc,
                    published_at=r.received_at + datetime.timedelta(days=25),
                    published_by=user,
                )
            )
        DisclosureLogEntry.objects.bulk_create(entries)
        print(f"  {stop} entries", flush=True)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("analyze disclosure_disclosurelogentry")


def index_for_search() -> None:
    """Bulk-inserted rows skip the publish service, so write their search index rows here; then
    vacuum, so the partial indexes answer counts from the index alone, as autovacuum would
    have on a live install."""
    from django.db import connection

    from foiregister.disclosure import services

    done = services.index_for_search()
    if done:
        print(f"  indexed {done} entries for search", flush=True)
    with connection.cursor() as c:
        c.execute("vacuum analyze disclosure_disclosurelogentry")
        c.execute("vacuum analyze disclosure_searchindexentry")


REQUEST_TIMEOUT = 10


def percentiles(samples: list[float]) -> str:
    s = sorted(samples)
    p50 = statistics.median(s)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return f"p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(s)})"


def time_selectors(repeats: int) -> None:
    """As the list view does it: a page of 20, the capped count, headlines for the page."""
    from foiregister.disclosure import selectors
    from foiregister.disclosure.pagination import CappedPaginator

    cases = {"list (page 1)": {}, "list (topic filter)": {"topic": "Estates"}}
    for q in QUERIES:
        cases[f"search {q!r}"] = {"q": q}
    for label, kwargs in cases.items():
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            page = CappedPaginator(selectors.search_disclosure_log(**kwargs), 20).get_page(1)
            ids = [e.pk for e in page.object_list]
            selectors.search_headlines(q=kwargs.get("q", ""), ids=ids)
            _ = page.paginator.count
            samples.append(time.perf_counter() - t)
        print(f"{label:40s} {percentiles(samples)}")


PAGES = {
    "page: list": "/",
    "page: search 'ultrasound waiting'": "/?q=ultrasound+waiting",
    "page: response": None,  # filled with a live entry's URL
    "api: list": "/api/v1/responses/",
    "api: search 'ultrasound waiting'": "/api/v1/responses/?q=ultrasound+waiting",
}


def _pages() -> dict[str, str]:
    from foiregister.disclosure import selectors

    entry = selectors.public_disclosure_log().order_by("-published_at", "-id").first()
    return {k: v or f"/responses/{entry.public_id}/" for k, v in PAGES.items()}


def time_pages(repeats: int) -> None:
    """Whole requests through Django's middleware, one at a time: what one visitor waits
    for, without the load run's queueing."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for label, path in _pages().items():
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
        print(f"{label:40s} {percentiles(samples)}")


class _PooledServer(WSGIServer):
    """wsgiref's server with a fixed pool of threads, like a gunicorn worker: each thread
    keeps its database connection (CONN_MAX_AGE), so a load run never runs out of them."""

    def __init__(self, *args, threads: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = ThreadPoolExecutor(threads)

    def process_request(self, request, client_address):
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - as socketserver does: report, keep serving
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _serve(sock: socket.socket, threads: int) -> None:
    """One server process on the shared listening socket (forked, so it starts clean)."""
    from django.core.wsgi import get_wsgi_application

    server = _PooledServer(
        sock.getsockname(), _QuietHandler, bind_and_activate=False, threads=threads
    )
    server.socket.close()
    server.socket = sock
    server.server_name, server.server_port = sock.getsockname()[:2]
    server.setup_environ()
    server.set_app(get_wsgi_application())
    server.serve_forever()


def load_run(seconds: float, workers: int, max_requests: int, processes: int) -> None:
    """A short load run on loopback against ``processes`` server processes (a pre-fork
    server, like gunicorn's sync workers with threads), from ``workers`` client threads.
    Bounded twice: it stops at ``seconds`` or ``max_requests``, and no request may outlive
    the deadline by more than ``REQUEST_TIMEOUT``. Reports requests per second and the
    latency of each kind of request."""
    from django.db import connections

    pages = _pages()
    connections.close_all()  # the children must not share the parent's connection
    sock = socket.create_server(("127.0.0.1", 0), backlog=256)
    ctx = multiprocessing.get_context("fork")
    servers = [ctx.Process(target=_serve, args=(sock, 4), daemon=True) for _ in range(processes)]
    for p in servers:
        p.start()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    mix = list(pages.items())
    started = time.monotonic()
    deadline = started + seconds
    samples: dict[str, list[float]] = {label: [] for label in pages}
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    done = 0

    def worker(k: int) -> None:
        nonlocal done
        i = k
        while time.monotonic() < deadline and done < max_requests:
            label, path = mix[i % len(mix)]
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT) as r:
                    r.read()
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            except (TimeoutError, OSError):
                status = 0  # timed out: counted, not fatal
            with lock:
                samples[label].append(time.perf_counter() - t)
                statuses[status] = statuses.get(status, 0) + 1
                done += 1
            i += 1

    try:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(worker, range(workers)))
        elapsed = time.monotonic() - started
    finally:
        for p in servers:
            p.terminate()
            p.join(5)
        sock.close()
    print(f"load: {done} requests in {elapsed:.1f} s, {workers} clients, {processes} server "
          f"processes: {done / elapsed:.1f} req/s, statuses {statuses}")  # fmt: skip
    for label, times in samples.items():
        if times:
            print(f"{'load ' + label:40s} {percentiles(times)}   {len(times) / elapsed:.1f} req/s")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.disclosure")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--no-load", action="store_true", help="latency only")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"populating to {args.entries} published responses")
    populate(args.entries)
    index_for_search()
    time_selectors(args.repeats)
    time_pages(args.repeats)
    if not args.no_load:
        load_run(args.seconds, args.workers, args.max_requests, args.processes)
