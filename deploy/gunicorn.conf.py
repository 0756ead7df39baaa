"""gunicorn's settings for the web process (deploy/foiregister.sh web).

Workers and threads come from the environment (WEB_CONCURRENCY, default 2 x cores + 1;
GUNICORN_THREADS, default 1). The access log is one JSON object per request with the
method, the path WITHOUT its query string (a search may be typed with someone's name in
it), the status, the size, the duration and the request id; never the referrer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Django is imported once, before the workers fork: faster boots, shared memory.
preload_app = True
# No control socket in the home directory (the image's user has none to write to).
control_socket_disable = True
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
worker_tmp_dir = os.environ.get(
    "GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None
)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"level": "INFO", "name": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s"}'
)
