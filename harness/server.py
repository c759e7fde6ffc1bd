"""gunicorn with production settings on loopback: the environment, start, readiness, stop.

Shared by bench/run.py and loadtest/run.py, and by the tests that start a real server
(tests/loadtest/). Nothing here imports Django: the server runs in its own process group.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CACHE_URL = "redis://127.0.0.1:6379/1"


class ServerError(RuntimeError):
    """gunicorn exited early or never answered."""


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)  # runs the caller's `finally`, which stops gunicorn


def stop_cleanly_on_signals():
    """Turn Ctrl-C and kill into SystemExit, even when started in the background (where SIGINT
    is ignored), so that a harness's `finally` stops gunicorn."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)


def production_env(database_url, *, allowed_hosts=HOST, cache_url=CACHE_URL, page_cache=600):
    """Environment variables for production settings on loopback (plain HTTP).

    cache_url: Redis for gunicorn, a local-memory cache for a process that only reads the
    database (the harness itself).
    """
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "False",
        "SECRET_KEY": "harness-throwaway-" + os.urandom(24).hex(),
        "FIELD_ENCRYPTION_SALT": "harness-throwaway-salt",
        "ALLOWED_HOSTS": allowed_hosts,
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "CACHE_URL": cache_url,
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "ERROR",
        # Always set: the in-process settings (page cache off) must not leak into gunicorn's.
        "PAGE_CACHE_SECONDS": str(page_cache),
    }


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def collectstatic(env):
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
        timeout=300,
    )


def start_gunicorn(env, port, workers, log, *, threads=1):
    """gunicorn in a new process group (so that stop_gunicorn() reaches the workers too).

    threads > 1 uses the gthread worker class; the default is sync workers, as deployed.
    """
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync" if threads == 1 else "gthread",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    if threads > 1:
        command += ["--threads", str(threads)]
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_gunicorn(process):
    """SIGTERM, then SIGKILL after 10 s; the whole process group (master and workers)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_ready(base, process, timeout=30):
    """Wait until /healthz answers 200; raises ServerError if gunicorn exits or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerError(f"gunicorn did not answer /healthz within {timeout} s")


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except OSError:
        return []
