"""Hostile and valid uploads through nginx: ``python -m benchmarks.uploads``.

Each case runs against a fresh API process (one uvicorn process, the production 50 MB body cap and
200,000-document cap) behind nginx with our config; the API's memory is read from /proc before the
upload (VmRSS) and after it (VmHWM, the peak). Writes the ``uploads`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import httpx

from benchmarks.compare import machine, write_report
from benchmarks.stack import serving

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def memory_mb(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith(field + ":")).split()[1]) / 1024


def cases() -> list[tuple[str, str, bytes]]:
    header = ",".join(f"c{i}" for i in range(200)).encode() + b"\n"
    valid = "".join(f"{i},package number {i} that does a useful thing for {i % 97} people\n" for i in range(200_000))
    return [
        ("25,000,000 lines of .txt (50 MB)", "lines.txt", b"a\n" * 25_000_000),
        ("a CSV of 200 columns (48 MB)", "wide.csv", header + (b"x," * 199 + b"some text here\n") * 120_000),
        ("a valid CSV of 200,000 documents (13 MB)", "valid.csv", ("id,text\n" + valid).encode()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    rows = []
    for title, name, data in cases():
        settings = {"TOPICMAP_MAX_UPLOAD_BYTES": str(50 * MB), "TOPICMAP_MAX_ACTIVE_JOBS_PER_KEY": "50"}
        with serving(1, **settings) as stack:
            before = memory_mb(stack.api_pid, "VmRSS")
            started = time.perf_counter()
            with httpx.Client(base_url=stack.base, headers={"X-API-Key": stack.key}, timeout=300) as client:
                answer = client.post("/api/jobs", files={"file": (name, data)})
            seconds = time.perf_counter() - started
            peak = memory_mb(stack.api_pid, "VmHWM")
        detail = answer.json().get("detail", "") if answer.status_code >= 400 else "accepted"
        rows.append(f"| {title} | {answer.status_code} {detail} | {seconds:.2f} s | {peak - before:.0f} MB |")
        print(rows[-1], flush=True)
    report = "\n".join(
        [
            f"Through nginx, one API process, 50 MB body cap, 200,000-document cap; {machine()}.",
            "",
            "| upload | answer | time to answer | API memory at its peak, above its size before |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    write_report(args.out, report, key="uploads")


if __name__ == "__main__":
    main()
