"""Real services of the fault tests' own, never the machine's: a redis-server on a spare
port (and, for the database faults, a PostgreSQL cluster in a temporary folder), started and
stopped here."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


class OwnRedis:
    def __init__(self, tmp_path):
        self.port = spare_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class OwnPostgres:
    """A PostgreSQL 15 cluster in a temporary folder on a spare port, trusting 127.0.0.1;
    run as the ``postgres`` user when the tests run as root (initdb refuses root)."""

    def __init__(self):
        self.port = spare_port()
        self.dir = Path(tempfile.mkdtemp(prefix="foi-own-pg-"))
        self.data = self.dir / "data"
        self.as_user = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, cwd=self.dir, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip

    def _pg_ctl(self, *args: str) -> None:
        # fsync off for speed: a stopped server (not a lost machine) keeps what it wrote,
        # so a restart still recovers exactly the committed transactions.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                  "-w", "-o", options, *args)  # fmt: skip

    def start(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        self._pg_ctl("start")

    def restart(self) -> None:
        """Stop at once, as a crash would (the running transactions are cut off, recovery
        replays the log), and start again."""
        self._pg_ctl("-m", "immediate", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "stop")

    def sql(self, query: str, *params, dbname: str = "postgres") -> list[tuple]:
        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            cursor = conn.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture
def own_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL fault tests run with the PostgreSQL settings only")
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15's server binaries are not installed ({PG_BIN})")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        pytest.skip("running as root, and there is no postgres user to run the cluster as")
    postgres = OwnPostgres()
    try:
        postgres.start()
        wait_for_port(postgres.port)
        yield postgres
    finally:
        postgres.stop()
        shutil.rmtree(postgres.dir, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
