"""The API under load, through nginx, measured with wrk: ``python -m benchmarks.load``.

Starts a real redis-server, the API as in production (uvicorn, one process per core) and nginx with
nginx/topicmap.conf (rendered by scripts/nginx-local.sh), stores one finished 20,000-document job
(a real corpus from the Debian descriptions, a synthetic map: serving does not depend on how the map
was made) and runs wrk against job status, health and the map. Writes the ``load`` block of
docs/benchmarks.md. Nothing here asserts a time: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.compare import machine, write_report
from benchmarks.stack import serving
from tests.integration.synthetic import store_finished_job

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int


def to_ms(value: str) -> float:
    number, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]+", "", value)  # type: ignore[union-attr]
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, *, connections: int, seconds: int, headers: dict[str, str]) -> WrkResult:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, flags=re.M))
    if set(latency) != {"50", "99"}:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=to_ms(latency["50"]),
        p99_ms=to_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
    )


def download_ms(url: str, headers: dict[str, str], repeats: int = 20) -> tuple[float, int, int]:
    """Median wall time of a full download, the bytes on the wire, and the status."""
    times, size, status = [], 0, 0
    with httpx.Client(headers=headers, timeout=60) as client:
        for _ in range(repeats):
            start = time.perf_counter()
            with client.stream("GET", url) as response:
                size = sum(len(chunk) for chunk in response.iter_raw())
                status = response.status_code
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2], size, status


def edit_ms(url: str, headers: dict[str, str], repeats: int = 10) -> dict[str, float]:
    """Median wall time of an edit request (each one makes a new version of the map)."""
    operations = {
        "rename a topic": [{"op": "rename", "topic": 0, "label": "A person's label"}],
        "revert to version 1": [{"op": "revert", "version": 1}],
    }
    medians = {}
    with httpx.Client(headers=headers, timeout=60) as client:
        for name, body in operations.items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                response = client.post(url, json={"operations": body})
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 201, response.text
            medians[name] = sorted(times)[len(times) // 2]
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--long-seconds", type=int, default=60, help="duration of the 500-client run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    workers = os.cpu_count() or 1
    with serving(workers) as stack:
        job_id = store_finished_job(stack.store, stack.owner, args.documents)
        base, auth = stack.base, {"X-API-Key": stack.key}
        status_url = f"{base}/api/jobs/{job_id}"
        assert httpx.get(status_url, headers=auth).json()["state"] == "succeeded"
        wrk(status_url, connections=10, seconds=3, headers=auth)  # warm-up
        runs = {
            "job status, 10 clients": wrk(status_url, connections=10, seconds=15, headers=auth),
            "job status, 200 clients": wrk(status_url, connections=200, seconds=15, headers=auth),
            f"job status, 500 clients, {args.long_seconds} s": wrk(
                status_url, connections=500, seconds=args.long_seconds, headers=auth
            ),
            "health, 10 clients": wrk(f"{base}/api/health", connections=10, seconds=10, headers={}),
        }
        map_url = f"{status_url}/map"
        gz = {**auth, "Accept-Encoding": "gzip"}
        downloads = {
            "map, gzip": download_ms(map_url, gz),
            "map, identity": download_ms(map_url, {**auth, "Accept-Encoding": "identity"}),
            "map with texts, gzip": download_ms(f"{map_url}?include=text", gz),
        }
        etag = httpx.get(map_url, headers=gz).headers.get("etag", "")
        downloads["map, If-None-Match"] = download_ms(map_url, {**gz, "If-None-Match": etag})
        edits = edit_ms(f"{status_url}/edits", auth)
        runs["map (gzip), 10 clients"] = wrk(map_url, connections=10, seconds=10, headers=gz)
    report(args.out, runs, downloads, edits, workers, args.documents)


def report(
    out: Path,
    runs: dict[str, WrkResult],
    downloads: dict[str, tuple[float, int, int]],
    edits: dict[str, float],
    workers: int,
    n: int,
) -> None:
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False).stderr.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split()[1]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {nginx.split(': ')[-1]}, wrk {wrk_version}; "
        f"everything on this one machine: wrk (2 threads), nginx, {workers} uvicorn processes, redis-server.",
        "",
        "| run | requests/s | p50 | p99 | requests | non-2xx/3xx | socket errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in runs.items():
        lines.append(
            f"| {name} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.1f} ms | {r.requests:,} | "
            f"{r.non_2xx_3xx} | {r.socket_errors} |"
        )
    lines += ["", f"One download of the {n:,}-document map (median of 20, httpx on loopback):", ""]
    lines += ["| request | median | bytes on the wire | status |", "|---|---|---|---|"]
    for name, (ms, size, status) in downloads.items():
        lines.append(f"| {name} | {ms:.1f} ms | {size:,} | {status} |")
    lines += ["", f"Edits of the {n:,}-document map (median of 10, each a new version, through nginx):", ""]
    lines += ["| edit | median |", "|---|---|"]
    lines += [f"| {name} | {ms:.0f} ms |" for name, ms in edits.items()]
    write_report(out, "\n".join(lines), key="load")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
