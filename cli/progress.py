"""Progress of the pipeline's stages as tqdm bars on stderr."""

from __future__ import annotations

from typing import TextIO

from topicmap.schemas import STAGES


class StageProgress:
    """A tqdm bar per stage on a terminal; nothing when output is not a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.stage: str | None = None
        self.bar: object | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            number = STAGES.index(stage) + 1 if stage in STAGES else 0
            self.stage = stage
            self.bar = tqdm(
                total=total,
                desc=f"[{number}/{len(STAGES)}] {stage:<10}",
                file=self.stream,
                unit="doc" if stage == "embed" else "step",
                leave=True,
            )
        assert isinstance(self.bar, tqdm)
        if total != self.bar.total:
            self.bar.reset(total=total)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]
            self.bar = None
