"""`make -n` of every operations target prints the docker commands an operator expects."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "docker_create_network": ["docker network create topicmap"],
    "docker_run_redis": [
        "docker network create topicmap",
        "docker run -d --name topicmap-redis",
        "--appendonly yes",
        "noeviction",
        "--requirepass",
    ],
    "build_docker": ["docker build -f Dockerfile.api -t topicmap-api:latest ."],
    "build_docker_worker": ["docker build -f Dockerfile.worker -t topicmap-worker:latest ."],
    "run_docker": ["docker compose -f docker-compose.yml  up -d --build --scale worker=1"],
    "stop_docker": ["docker compose -f docker-compose.yml  down"],
    "logs": ["docker compose -f docker-compose.yml  logs -f --tail=200"],
    "install_nginx_config": [
        'NGINX_DIR="/etc/nginx"',
        'API_UPSTREAM="127.0.0.1:8000"',
        "scripts/install-nginx-config.sh",
    ],
}


def dry_run(*args: str) -> str:
    result = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", sorted(EXPECTED))
def test_ops_target_prints_its_docker_commands(target: str) -> None:
    output = dry_run(target)
    for fragment in EXPECTED[target]:
        assert fragment in output, f"{target}: {fragment!r} not in {output!r}"


def test_run_docker_options() -> None:
    assert "--scale worker=3" in dry_run("run_docker", "WORKERS=3")
    assert "-f docker-compose.cpu.yml" in dry_run("run_docker", "GPU=0")


def test_run_docker_worker_uses_the_given_redis() -> None:
    output = dry_run("run_docker_worker", "REDIS_URL=redis://:pw@10.0.0.5:6379/0")
    assert (
        "docker run -d" in output
        and "--gpus all" in output
        and 'TOPICMAP_REDIS_URL="redis://:pw@10.0.0.5:6379/0"' in output
    )
    assert "--gpus" not in dry_run("run_docker_worker", "REDIS_URL=redis://x", "GPU=0")


def test_help_lists_every_target() -> None:
    output = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in [*EXPECTED, "run_docker_worker", "run", "test", "install", "demo", "bench", "bench_load"]:
        assert target in output
