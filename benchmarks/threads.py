"""The stages after embedding at 100,000 documents on 1, 2, 4, 8 and 16 cores: ``python -m benchmarks.threads``.

    python -m benchmarks.threads --cores 1 2 4 8 16 --json threads.json   # where the cores are
    python -m benchmarks.threads --from-json threads.json                 # writes docs/benchmarks.md

Each core count is a new process pinned with ``taskset`` to that many cores (counts above the
machine's are skipped), on the 100,000 Debian sentences of the 100k benchmark with their embeddings
given, after a warm-up run of the same process kind (numba's cache filled); each process first warms
up as a worker does before its first job (both paths on 300 documents: numba's functions loaded, not
counted). It records every stage's
seconds and a digest of the map (topics, outlier flags and coordinates): the same digest for every
core count is the proof that the threads did not change the map. It also samples each run's
running threads (benchmarks/busy.py): the single-threaded seconds of each stage, and from them an
Amdahl estimate of the time on 16 cores where there are fewer. ``--repeat N`` runs each count N times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.busy import BusySampler, amdahl, summary
from benchmarks.compare import machine, versions, write_report
from benchmarks.jit import CHILD
from benchmarks.million import BASE, base_embeddings
from benchmarks.probe import probe_line, speed_probe
from benchmarks.systems import DEFAULT_DATA, load_sample

ROOT = Path(__file__).resolve().parents[1]
POST_EMBEDDING = ("reduce", "cluster", "label", "layout", "hierarchy", "score")
TARGET_CORES = 16


def pinned_run(cores: int, folder: Path, target: int = TARGET_CORES) -> dict[str, Any]:
    """The pipeline in a new process on cores 0 … ``cores``-1, its running threads sampled
    (benchmarks/busy.py): each stage's single-threaded seconds and its estimate on ``target`` cores."""
    command = ["taskset", "-c", f"0-{cores - 1}", sys.executable, "-W", "ignore", "-c", CHILD]
    command += [str(folder / "texts.json"), str(folder / "embeddings.npy"), "warm"]
    env = {k: v for k, v in os.environ.items() if k != "TOPICMAP_THREADS"}
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    sampler = BusySampler(child.pid).start()
    output, _ = child.communicate()
    samples = sampler.stop()
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command, output)
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    marks = result.pop("marks")
    sections = {stage: tuple(marks[stage]) for stage in POST_EMBEDDING if stage in marks}
    stage_starts = [start for stage, (start, _) in marks.items() if stage not in ("called", "returned")]
    sections["before the stages"] = (marks["called"][0], min(stage_starts))  # the canonical row order
    sections["building the map"] = (marks["score"][1], marks["returned"][1])
    result["busy"] = amdahl(samples, sections, cores, target)  # type: ignore[arg-type]
    result["target_cores"] = target
    return result


def measure(core_counts: list[int], data: Path, repeat: int = 1) -> dict[str, Any]:
    """Each core count ``repeat`` times: the fastest run is kept, and for each section the run where
    it was least single-threaded (a noisy neighbour makes a thread wait for another: time counted
    single-threaded that is not)."""
    texts, _, _ = load_sample(data, BASE, short=True)
    embeddings = base_embeddings(texts)
    machine_cores = len(os.sched_getaffinity(0))
    probe = speed_probe()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "texts.json").write_text(json.dumps(texts))
        np.save(folder / "embeddings.npy", embeddings)
        pinned_run(min(machine_cores, max(core_counts)), folder)  # warm-up: numba's cache
        for cores in sorted(c for c in set(core_counts) if c <= machine_cores):
            tries = []
            for _ in range(repeat):
                run = pinned_run(cores, folder)
                staged = sum(run["stages"].get(stage, 0.0) for stage in POST_EMBEDDING)
                # building the map's documents and topics after the timed stages: part of a job, too
                run["assembly_s"] = max(0.0, run["pipeline_s"] - run["stages"]["total"])
                run["after_embedding_s"] = staged + run["assembly_s"]
                print(json.dumps(run), flush=True)
                tries.append(run)
            best = min(tries, key=lambda run: float(run["after_embedding_s"]))
            best["busy"] = {
                name: min((run["busy"][name] for run in tries), key=lambda section: float(section["serial_s"]))
                for name in best["busy"]
            }
            best["tries"] = len(tries)
            runs.append(best)
    return {"machine": machine(), "versions": versions(), "documents": len(texts), "runs": runs, "probe_s": probe}


def report(result: dict[str, Any]) -> str:
    runs = result["runs"]
    base = next((r for r in runs if r["cores"] == 2), runs[0])
    lines = [
        f"{result['documents']:,} Debian sentences, embeddings given; each core count a new process pinned "
        f"with `taskset` and warmed up as a worker is before its first job (fastest of "
        f"{max(run.get('tries', 1) for run in runs)} runs); {result['machine']}."
        f"{probe_line(result.get('probe_s'))} {result['versions']}.",
        "",
        "| cores | "
        + " | ".join(f"{stage} s" for stage in POST_EMBEDDING)
        + " | building the map s | after embedding s "
        f"| vs {base['cores']} cores | topics | map digest |",
        "|---|" + "---|" * (len(POST_EMBEDDING) + 5),
    ]
    for run in runs:
        stages = " | ".join(f"{run['stages'].get(stage, 0.0):.1f}" for stage in POST_EMBEDDING)
        speed_up = base["after_embedding_s"] / run["after_embedding_s"]
        lines.append(
            f"| {run['cores']} | {stages} | {run.get('assembly_s', 0.0):.1f} | {run['after_embedding_s']:.1f} "
            f"| {speed_up:.2f}x | {run['topics']} "
            f"| `{run['digest']}` |"
        )
    same = len({run["digest"] for run in runs}) == 1
    lines += ["", "The same map for every core count." if same else "**The maps differ between core counts.**"]
    sampled = [run for run in runs if run.get("busy") and run["cores"] > 1]
    return "\n".join(lines + (single_threaded(sampled[0]) if sampled else []))


def single_threaded(run: dict[str, Any]) -> list[str]:
    """Where the single-threaded time is, from the running threads sampled in ``run`` (benchmarks/busy.py)."""
    busy, target, cores = run["busy"], run["target_cores"], run["cores"]
    total = summary(busy)
    lines = [
        "",
        f"Single-threaded time on {cores} cores, from the process tree's running threads sampled every "
        f"10 ms (benchmarks/busy.py; each section from the least single-threaded of {run.get('tries', 1)} "
        f"runs), and by Amdahl's law the time on {target} cores if all the rest divided perfectly (an "
        "upper bound on the speed-up):",
        "",
        f"| section | wall s | single-threaded s | estimate on {target} cores s |",
        "|---|---|---|---|",
    ]
    for name, section in busy.items():
        lines.append(f"| {name} | {section['wall_s']:.1f} | {section['serial_s']:.1f} | {section['estimate_s']:.1f} |")
    lines.append(
        f"| **in all** | {total['wall_s']:.1f} | {total['serial_s']:.1f} | {total['estimate_s']:.1f} "
        f"({total['wall_s'] / total['estimate_s']:.1f}x) |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=1, help="runs per core count (the fastest is reported)")
    parser.add_argument("--json", type=Path, help="also save the measurements here")
    parser.add_argument("--from-json", type=Path, help="write the report from saved measurements")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    result = json.loads(args.from_json.read_text()) if args.from_json else measure(args.cores, args.data, args.repeat)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    text = report(result)
    print(text)
    write_report(args.out, text, key="threads")


if __name__ == "__main__":
    main()
