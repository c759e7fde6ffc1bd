"""Private PostgreSQL and Redis servers for the fault tests, on free ports, never the shared ones.

Other engineers' tests use the machine's PostgreSQL on 5432 and Redis on 6379: these helpers
start throwaway servers of their own (initdb into a temporary directory, redis-server without
persistence) that a test may stop, kill and start again.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from harness import server


def postgres_bin():
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(x) for x in p.split("/")[4].split(".") if x.isdigit()],
    )
    for initdb in reversed(found):
        directory = Path(initdb).parent
        if (directory / "pg_ctl").exists():
            return directory
    return None


def wait_port(port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((server.HOST, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory, trust authentication, loopback only."""

    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.port = server.free_port()
        self.root = os.geteuid() == 0
        self.directory = Path(tempfile.mkdtemp(prefix="dangqun-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        if self.root:
            # initdb refuses to run as root: the cluster belongs to the postgres user.
            shutil.chown(self.directory, "postgres", "postgres")

    def _run(self, *command, check=True, timeout=60):
        command = [str(part) for part in command]
        if self.root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, timeout=timeout, capture_output=True, text=True)

    def url(self, database):
        return f"postgres://postgres@{server.HOST}:{self.port}/{database}"

    def init(self):
        self._run(
            self.bin_dir / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )

    def start(self):
        options = f"-p {self.port} -c listen_addresses={server.HOST} -k {self.directory}"
        self._run(
            self.bin_dir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start"
        )

    def stop(self, mode="fast"):
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def is_running(self):
        status = self._run(self.bin_dir / "pg_ctl", "-D", self.data, "status", check=False)
        return status.returncode == 0

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def cleanup(self):
        self.stop(mode="immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """redis-server on a free port, nothing saved to disk."""

    def __init__(self):
        self.port = server.free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://{server.HOST}:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                server.HOST,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_port(self.port):
            raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
