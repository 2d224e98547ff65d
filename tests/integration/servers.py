"""Real servers for integration tests: redis-server, the API under uvicorn, Celery workers (solo).

Everything listens on 127.0.0.1 on free ports, lives in a temporary folder and is stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from api.security import new_key
from topicmap.store import JobStore

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Redis:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed (make test installs it)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--maxmemory-policy", "noeviction",
             "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: redis.Redis(port=self.port).ping(), 20, "redis-server")

    def restart(self) -> None:
        """A clean shutdown (AOF flushed) and a start on the same port and data folder."""
        redis.Redis(port=self.port).shutdown(nosave=False)
        assert self.process is not None
        self.process.wait(timeout=20)
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def service_env(redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPICMAP_")}
    # no .env either: the key and webhook secret `make run` wrote there made webhook tests fail
    env.update(TOPICMAP_REDIS_URL=redis_url, TOPICMAP_ENV_FILE="", PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class Worker:
    redis_url: str
    log: Path
    name: str
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    queries: bool = False
    """A query worker (queue ``queries``, search queries) rather than one that runs jobs."""
    webhooks: bool = False
    """The webhook worker (queue ``webhooks``, threads, with the beat that relays due webhooks)."""

    def start(self) -> None:
        role = {"TOPICMAP_ROLE": "queries"} if self.queries else {"TOPICMAP_ROLE": "webhooks"} if self.webhooks else {}
        env = service_env(self.redis_url, TOPICMAP_WORKER_NAME=self.name, **role, **self.extra_env)
        pool = ["-P", "threads", "-c", "4"] if self.webhooks else ["-P", "solo", "-c", "1"]
        command = [str(BIN / "celery"), "-A", "worker.tasks", "worker", *pool,
                   "--without-mingle", "--without-gossip", "--without-heartbeat", "-n", f"{self.name}@%h"]  # fmt: skip
        if self.queries:
            command += ["-Q", "queries"]
        if self.webhooks:
            command += ["-Q", "webhooks", "-B", "-s", str(self.log.with_suffix(".beat-schedule"))]
        logged = self.log.stat().st_size if self.log.exists() else 0
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        if self.queries or self.webhooks:  # no job heartbeat: it is up once its log says so
            wait_for(lambda: b"ready." in self.log.read_bytes()[logged:], 240, f"query worker {self.name}")
            return
        client = redis.Redis.from_url(self.redis_url)
        wait_for(lambda: client.exists(f"tm:worker:{self.name}") == 1, 240, f"worker {self.name} heartbeat")

    def kill(self) -> None:
        """SIGKILL, like the OOM killer: no clean-up, no acknowledgement."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@dataclass
class Api:
    redis_url: str
    log: Path
    keys: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """An admin with a configured key ("admin"), and two members with keys in Redis ("alice",
        "bob"): members see only their own jobs (and what is shared with them), admins every job."""
        key, digest = new_key()
        self.keys["admin"] = key
        for name in ("alice", "bob"):
            self.add_member(name)
        env = service_env(self.redis_url, TOPICMAP_API_KEYS=f"admin:{digest}", **self.extra_env)
        command = [
            str(BIN / "uvicorn"),
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
        ]
        self.process = subprocess.Popen(command, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_for(lambda: httpx.get(f"{self.url}/api/health").status_code == 200, 60, "the API")

    def add_member(self, name: str) -> None:
        """A member (made unless they exist) with a new key of theirs: ``client(name)`` uses it."""
        store = JobStore(redis.Redis.from_url(self.redis_url))
        if store.get_user(name) is None:
            store.add_user(name, "member")
        key, digest = new_key()
        store.add_key(name, digest)
        self.keys[name] = key

    def client(self, who: str = "alice") -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": self.keys[who]}, timeout=60)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
