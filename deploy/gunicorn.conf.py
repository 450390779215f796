"""gunicorn settings for machiwb, read from the environment.

    gunicorn -c deploy/gunicorn.conf.py

WEB_CONCURRENCY   worker processes (default: CPU cores + 1)
GUNICORN_THREADS  threads per worker, each with its own database connection (default 4)
MACHIWB_BIND      address to listen on (default 127.0.0.1:8000; a unix socket as unix:/run/...)
GUNICORN_TIMEOUT  seconds before a stuck worker is killed and replaced (default 30)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

wsgi_app = "config.wsgi:application"
bind = os.environ.get("MACHIWB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
# Threads: while one request waits for PostgreSQL (a commit), another one runs; connections
# from nginx are kept alive between requests.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Replace workers now and then so a slow leak can never take a server down.
# A new worker imports the whole app again (a second or more of CPU), so not too often: at
# 1,000 requests/s a limit of 2,000 would restart one worker every two seconds.
max_requests = 50_000
max_requests_jitter = 5_000
# No access log: Django logs each request by view name, without addresses or query strings.
accesslog = None
errorlog = "-"
# Behind nginx on the same machine; X-Forwarded-* from anywhere else is ignored.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# systemd and signals manage the server; no control socket in the home directory.
control_socket_disable = True

# Prometheus counters from every worker are added up through files in this folder. It must
# be set before any worker imports prometheus_client, so it is set here, in the master.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="machiwb-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server: Any) -> None:
    """Start from empty counters (files of a previous run would be added in)."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
