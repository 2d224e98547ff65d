"""The serving stack for benchmarks: a real redis-server, the API (uvicorn) and nginx with our config.

``serving(workers)`` starts them in a temporary folder and yields where to reach them, a key, and
the job store; ``store_finished_job`` (tests/integration/synthetic.py) puts a finished job (a real
corpus from the Debian descriptions, a synthetic map: serving does not depend on how the map was made)
into the store.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.integration.servers import Redis, free_port, service_env, wait_for
from topicmap.store import JobStore

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Stack:
    base: str
    """The site through nginx, e.g. http://127.0.0.1:8080"""
    key: str
    owner: str
    store: JobStore
    api_pid: int
    redis_url: str = ""
    folder: Path | None = None


@contextmanager
def serving(workers: int, **settings: str) -> Iterator[Stack]:
    """redis-server, ``workers`` uvicorn processes and nginx (nginx/topicmap.conf), stopped on exit."""
    from api.security import new_key

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        redis_server = Redis(folder / "redis")
        redis_server.start()
        processes: list[subprocess.Popen[bytes]] = []
        try:
            key, digest = new_key()
            api_port, http_port = free_port(), free_port()
            env = service_env(
                redis_server.url, TOPICMAP_API_KEYS=f"bench:{digest}", TOPICMAP_LOG_LEVEL="WARNING", **settings
            )
            uvicorn = [str(ROOT / ".venv" / "bin" / "uvicorn"), "api.main:app", "--host", "127.0.0.1"]
            uvicorn += ["--port", str(api_port), "--workers", str(workers), "--no-access-log"]
            processes.append(subprocess.Popen(uvicorn, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            nginx_dir = folder / "nginx"
            script = str(ROOT / "scripts" / "nginx-local.sh")
            subprocess.run(
                ["bash", script, str(nginx_dir), f"127.0.0.1:{http_port}", f"127.0.0.1:{api_port}"], check=True
            )
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            conf = str(nginx_dir / "nginx.conf")
            processes.append(subprocess.Popen([nginx, "-p", str(nginx_dir), "-c", conf, "-g", "daemon off;"]))
            base = f"http://127.0.0.1:{http_port}"
            wait_for(lambda: httpx.get(f"{base}/api/health").status_code == 200, 60, "API through nginx")
            store = JobStore.from_url(redis_server.url)
            yield Stack(base, key, "bench", store, processes[0].pid, redis_server.url, folder)
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)
            redis_server.stop()
