"""The topic-modelling pipeline: embed → reduce → cluster → label → layout → score."""

from topicmap.pipeline.cores import load_torch_openmp_first as _load_torch_openmp_first

_load_torch_openmp_first()  # before any numba parallel stage can run: see its docstring
