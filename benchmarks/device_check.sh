#!/usr/bin/env bash
# Issue 22's GPU and 16-core measurements, in one call on the lent H200 machine (16 cores).
#
#   here:   make device_carry            # wheels the device image lacks, the model in fp16, the data: .device-carry/
#   there:  the device tool's run, carry [".device-carry"], command "bash benchmarks/device_check.sh", timeout_s 590
#   back:   python -m benchmarks.gpu --from-json <files>/gpu.json --out docs/benchmarks.md
#           python -m benchmarks.threads --from-json <files>/threads.json
#
# Writes its logs and JSON under $OUT. Each part has its own time limit (together ~9 min, inside one call's
# 10), so one that hangs leaves time to the others; the GPU benchmark goes first and fills numba's cache.
set -uo pipefail
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  .device-carry/whl/*.whl || exit 1
export PYTHONPATH="/tmp/site:$PWD/.device-carry/site:$PWD" PYTHONUNBUFFERED=1 TOPICMAP_CACHE_DIR=/tmp/topicmap-cache
DATA=.device-carry/data/debian-packages.jsonl.gz
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; nproc; lscpu | grep -E "Model name|Flags"
  python3 -m pip list 2>/dev/null | grep -iE "^(torch|numba|numba-cuda|numpy|scipy|scikit-learn|umap-learn|fast-hdbscan|fast_hdbscan|joblib) "
} > "$OUT/machine.txt" 2>&1
timeout 90 python3 -m pytest -q -p no:cacheprovider tests/core/pipeline/test_gpu.py 2>&1 | tee "$OUT/test_gpu.log"
timeout 220 python3 -m benchmarks.gpu --data "$DATA" --json "$OUT/gpu.json" 2>&1 | tee "$OUT/gpu.log"
TOPICMAP_GPU_STAGES=off timeout 220 python3 -m benchmarks.threads --cores 2 4 8 16 --data "$DATA" \
  --json "$OUT/threads.json" --out "$OUT/threads.md" 2>&1 | tee "$OUT/threads.log"
