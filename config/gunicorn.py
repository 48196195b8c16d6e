"""gunicorn, Simpul's production web server: `gunicorn -c config/gunicorn.py` (`make serve`,
README "Production"). Every value follows the machine unless the environment says otherwise."""

import gc
import multiprocessing
import os
from pathlib import Path

from kernel.observability import logging_config


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

# Logs: gunicorn's own lines (start, worker timeouts, errors) go through the same JSON handler
# as Django's (LOG_FORMAT, kernel/observability.py). Its access log is off: Django writes one
# line per request (logger `simpul.request`) with what gunicorn cannot know (the request id,
# user id and area) and the time the application took; SIMPUL_WEB_ACCESS_LOG=1 turns gunicorn's
# on too (a request gunicorn cuts at its timeout then leaves a line of its own).
loglevel = os.environ.get("SIMPUL_WEB_LOG_LEVEL", "info")
errorlog = "-"
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "json"),
    level=os.environ.get("LOG_LEVEL", "WARNING"),
)
logconfig_dict["loggers"]["gunicorn.error"] = {"level": loglevel.upper(), "propagate": True}
logconfig_dict["loggers"]["gunicorn.access"] = {
    "level": "INFO" if os.environ.get("SIMPUL_WEB_ACCESS_LOG") == "1" else "WARNING",
    "propagate": True,
}


# Warm-up. Django loads the URL conf (every view, the API's schemas), a language's catalogue and
# each template on a process's first request that needs them: 0.4-0.8 s for a worker's first
# request, again after every recycle (max_requests). kernel.warmup loads them all once in the
# master, before the workers fork; SIMPUL_WEB_WARM_UP=0 leaves them to the first requests.
_WARM_UP = os.environ.get("SIMPUL_WEB_WARM_UP", "1") != "0"

# The garbage collector. After the application is loaded and warmed up the master holds a few
# hundred thousand long-lived objects: Django, the URL conf, the compiled templates. Left in the
# collector's generations, every full collection in every worker walks them all again (tens of
# milliseconds, landing on some unlucky request), and touching them un-shares the forked pages.
# Frozen before the workers fork, they are never scanned again; a larger first generation
# (SIMPUL_GC_GEN0, default 50,000 allocations, Python's is 700) makes the young collections of
# a request's short-lived objects rarer. SIMPUL_GC_GEN0=0 keeps Python's defaults.
_GC_GEN0 = _int("SIMPUL_GC_GEN0", 50_000)


def when_ready(server):
    if _WARM_UP:
        from kernel.warmup import warm_up

        done = warm_up()
        seconds, templates = done["seconds"], done["templates"]
        server.log.info("Warmed up in %ss: URL conf, catalogues, %s templates", seconds, templates)
    if _GC_GEN0:
        gc.collect()
        gc.freeze()


def post_fork(server, worker):
    if _GC_GEN0:
        gc.set_threshold(_GC_GEN0, 20, 20)
