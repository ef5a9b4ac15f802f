"""gunicorn in production: `gunicorn -c gunicorn.conf.py digest_cms.wsgi`, behind nginx (README.md, Deployment).

Every setting can be overridden from the environment (GUNICORN_*), so one file serves every machine.

- Processes and threads: a cold PDF render holds a CPU for one to several seconds (WeasyPrint),
  while a cached page takes about a millisecond. Two workers per core keep both cores busy; four
  threads in each keep a worker answering pages while one of its threads renders.
- `preload_app`: Django, the templates' code and WeasyPrint are imported once in the master and
  shared copy-on-write by the workers (less memory; a recycled worker starts in milliseconds).
  Deploying new code therefore needs a restart, not a HUP.
- Recycling: a worker is replaced after about 20,000 requests, hours of real traffic, as a guard
  against slow leaks. (Every ~2,000 was seconds under a load test, each fresh worker starting
  with cold caches.)
- Logs: one access line per request on standard output, next to the application's own lines
  (one per editorial action, logger `editorial.workflow`); gunicorn's own messages on standard error.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# gthread workers keep beating while a thread renders, so this only catches a worker that hangs outright.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the upstream open (keepalive in its upstream block); a little longer than nginx's.
keepalive = _int("GUNICORN_KEEPALIVE", 75)
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
max_requests = _int("GUNICORN_MAX_REQUESTS", 20_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2_000)
# The heartbeat file in memory, not on a disk that may stall (containers mount /tmp on overlay file systems).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None)
# X-Forwarded-Proto and X-Forwarded-For are believed from these addresses only (nginx on the same host by default).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn ≥ 25 opens a control socket at one fixed path per user; two servers on a machine would share it.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client (X-Forwarded-For as far as TRUSTED_PROXIES vouch for it: digest_cms/client_ip.py), the connecting
# address, request line, status, bytes, milliseconds. "-" for a request refused before Django saw it.
access_log_format = '%({digest.client_address}e)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = os.environ.get("GUNICORN_PROC_NAME", "digest-cms")


def pre_fork(server, worker):
    """Never hand a database connection opened while preloading to a worker: two processes on one socket."""
    if server.cfg.preload_app:
        from django.db import connections

        connections.close_all()
