from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from topicmap.schemas import Documents, PipelineParams

HEAVY = ["numpy", "torch", "umap", "hdbscan", "fast_hdbscan", "sentence_transformers", "sklearn"]


@pytest.mark.parametrize("module", ["topicmap.schemas", "topicmap.corpus", "api"])
def test_light_modules_import_nothing_heavy(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_api_and_rendering_never_import_the_pipeline() -> None:
    pipeline = ["torch", "umap", "fast_hdbscan", "sentence_transformers", "topicmap.pipeline"]
    modules = "api.main, topicmap.render.figures, topicmap.render.exports"
    code = f"import sys, {modules}; print(sorted(m for m in {pipeline!r} if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_params_defaults_and_validation() -> None:
    params = PipelineParams()
    assert params.seed == 42 and params.min_topic_size is None and not params.keep_outliers
    with pytest.raises(ValidationError):
        PipelineParams(min_topic_size=1)
    with pytest.raises(ValidationError):
        PipelineParams(unknown=1)  # type: ignore[call-arg]


def test_languages_are_named_by_code_tag_or_name() -> None:
    """A job may name its texts' languages: "French", "FR" and "fr-CA" are French; each counts once."""
    assert PipelineParams().languages is None  # told from the texts
    assert PipelineParams(languages=["French", "FR", "pt_BR", "de-AT", "no"]).languages == ["fr", "pt", "de", "nb"]
    for bad in (["xx"], [], ["fr", "de", "es", "it", "pt", "nl"], [{}], "fr"):
        with pytest.raises(ValidationError):
            PipelineParams(languages=bad)


def test_document_columns_must_have_equal_lengths() -> None:
    with pytest.raises(ValidationError, match="same length"):
        Documents(id=["a"], x=[0.0, 1.0], y=[0.0], topic=[0], outlier=[False])
