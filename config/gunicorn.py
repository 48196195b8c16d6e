"""gunicorn, Simpul's production web server: `gunicorn -c config/gunicorn.py` (`make serve`,
README "Production"). Every value follows the machine unless the environment says otherwise."""

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "config.wsgi:application"
bind = os.environ.get("SIMPUL_BIND", "127.0.0.1:8000")

# Pages spend most of their time on the CPU (rendering) and the rest waiting on PostgreSQL:
# two processes per core and one more keep the cores busy without queueing behind a slow query.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("SIMPUL_WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A request that runs longer is cut (heavy work belongs in Celery jobs); restarts are graceful.
timeout = _int("SIMPUL_WEB_TIMEOUT", 30)
graceful_timeout = _int("SIMPUL_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle a worker now and then, staggered, so memory a big export took is given back.
max_requests = _int("SIMPUL_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Load the code once and fork: less memory per worker, and a broken deploy fails at start.
preload_app = True
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk (a slow disk must not kill workers)

# Requests from a client: no huge header lines or header counts (uploads are capped by Django).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# X-Forwarded-Proto is believed only from these proxies (Django's client address rule is
# SIMPUL_TRUSTED_PROXIES, kernel.web.client_ip).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("SIMPUL_WEB_LOG_LEVEL", "info")
