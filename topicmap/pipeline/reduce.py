"""Reduce embeddings with UMAP: a few dimensions for clustering and 2-D for the map.

The cosine nearest-neighbour graph is computed once by :class:`NeighbourGraph` and shared by both
projections. Up to ``EXACT_KNN_LIMIT`` documents it is exact (blocked matrix products: ~3 s for
20k documents); above that, approximate NN-descent by EVoC's parallel implementation (100k
documents in ~6 s on 2 cores, against ~38 s for pynndescent with one thread), with exact cosine
distances to the neighbours it finds. For large corpora :func:`graph_init` gives UMAP a starting
point from label propagation on that graph, in place of the spectral initialisation that costs
about half of UMAP's time at 100k documents (docs/benchmarks.md, "100k").
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from topicmap.pipeline.cores import numba_pool_size, use_cores

EXACT_KNN_LIMIT = 50_000
KNN_THREADS = 16
"""EVoC's NN-descent splits its work by numba's thread count, and the graph it finds depends on the
split (4% of rows differ between one thread and two): it always runs 16 ways, on however many cores
the process has, so the map does not depend on the machine, and a 16-core box uses every core
(100,000 documents on 2 cores: 16 ways as fast as 8, the same recall; 32 ways a fifth slower)."""
KNN_TREES = 4


class NeighbourGraph:
    """Cosine k-nearest-neighbour graph: exact up to ``EXACT_KNN_LIMIT`` rows, NN-descent above.

    Parameters
    ----------
    n_neighbors : int, default=15
        Neighbours per point, the point itself included; capped at ``n_samples - 1``.
    random_state : int, default=42
    fast : bool, default=True
        Above the exact limit: EVoC's parallel NN-descent; False: pynndescent on one thread, as
        umap-learn uses it (the reference pipeline).
    exact_limit : int, default=50,000
        Up to this many rows the graph is exact.
    device : str, default="cpu"
        ``cuda``: exact at any size, by products on the GPU (topicmap/pipeline/gpu.py).

    Attributes
    ----------
    indices_ : ndarray of shape (n_samples, n_neighbors)
    distances_ : ndarray of shape (n_samples, n_neighbors)
    n_neighbors_ : int
        The neighbour count actually used.
    """

    def __init__(
        self,
        *,
        n_neighbors: int = 15,
        random_state: int = 42,
        fast: bool = True,
        exact_limit: int = EXACT_KNN_LIMIT,
        device: str = "cpu",
    ) -> None:
        self.n_neighbors = n_neighbors
        self.random_state = random_state
        self.fast = fast
        self.exact_limit = exact_limit
        self.device = device

    def fit(self, X: npt.NDArray[np.float32]) -> NeighbourGraph:
        if X.ndim != 2 or len(X) < 3:
            raise ValueError("need a 2-D array with at least 3 rows")
        self.n_neighbors_ = max(2, min(self.n_neighbors, len(X) - 1))
        self.fuzzy_: sp.coo_matrix | None = None
        if len(X) <= self.exact_limit or self.device != "cpu":
            self.indices_, self.distances_ = exact_cosine_knn(X, self.n_neighbors_, device=self.device)
            return self
        if not self.fast:
            return self._fit_pynndescent(X)
        from evoc.knn_graph import knn_graph

        ways = min(KNN_THREADS, numba_pool_size())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Failed to correctly find n_neighbors for some samples"
            seeded = np.random.RandomState(self.random_state)
            indices, _ = knn_graph(
                np.asarray(X, dtype=np.float32),
                n_neighbors=self.n_neighbors_,
                random_state=seeded,
                n_jobs=ways,
                n_trees=KNN_TREES,
            )
        self.indices_, self.distances_ = cosine_distances_to(X, np.asarray(indices, dtype=np.int32))
        return self

    def fuzzy(self, X: npt.NDArray[np.float32]) -> sp.coo_matrix:
        """UMAP's fuzzy graph of these neighbours: computed once, shared by both batch projections."""
        from topicmap.pipeline.batch_layout import fuzzy_graph

        if self.fuzzy_ is None:
            self.fuzzy_ = fuzzy_graph(X, self.indices_, self.distances_)
        return self.fuzzy_

    def _fit_pynndescent(self, X: npt.NDArray[np.float32]) -> NeighbourGraph:
        from umap.umap_ import nearest_neighbors

        indices, distances, _ = nearest_neighbors(
            X,
            self.n_neighbors_,
            "cosine",
            {},
            False,
            np.random.RandomState(self.random_state),
            low_memory=True,
            use_pynndescent=True,
            n_jobs=1,
            verbose=False,
        )
        self.indices_, self.distances_ = indices, distances
        return self


def cosine_distances_to(
    X: npt.NDArray[np.float32], indices: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Cosine distances from each row to the rows ``indices`` names, both sorted nearest first
    (ties by index), on every core (topicmap/pipeline/nearest_first.py)."""
    from topicmap.pipeline.nearest_first import sorted_cosine_distances

    norms = np.linalg.norm(X, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = np.ascontiguousarray(X / np.where(norms > 0, norms, 1), dtype=np.float32)
    indices = np.where(indices < 0, np.arange(len(X))[:, None], indices).astype(np.int32)  # unfound: itself
    return sorted_cosine_distances(unit, indices)


def graph_init(
    graph: NeighbourGraph, X: npt.NDArray[np.float32], n_components: int, random_state: int = 42
) -> npt.NDArray[np.float32]:
    """Starting coordinates for UMAP from label propagation on the neighbour graph (EVoC), scaled
    to [0, 10] as UMAP scales its spectral initialisation."""
    from evoc.graph_construction import neighbor_graph_matrix
    from evoc.label_propagation import label_propagation_init

    matrix = neighbor_graph_matrix(float(graph.n_neighbors_), graph.indices_, graph.distances_, True)
    init = label_propagation_init(
        matrix,
        n_components=n_components,
        approx_n_parts=int(np.clip(8 * np.sqrt(len(X)), 256, 16384)),
        random_scale=0.1,
        scaling=0.5,
        noise_level=0.5,
        random_state=np.random.RandomState(random_state),
        data=X,
        n_label_prop_iter=20,
    )
    return scaled(np.asarray(init, dtype=np.float32))


def pca_init(reduced: npt.NDArray[np.float32], n_components: int = 2) -> npt.NDArray[np.float32]:
    """Starting coordinates for the map from the clustering projection's principal axes."""
    from sklearn.decomposition import PCA

    return scaled(PCA(n_components, random_state=0).fit_transform(reduced).astype(np.float32))


def scaled(coordinates: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    return np.asarray(10 * (coordinates - low) / np.where(high > low, high - low, 1), dtype=np.float32)


def exact_cosine_knn(
    X: npt.NDArray[np.float32], k: int, block: int = 2048, device: str = "cpu"
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Exact k nearest neighbours by cosine distance, nearest first (the point itself included).

    Blocked similarity products with ``torch.topk`` on ``device`` (on the CPU multi-threaded: 20k
    documents in ~3 s on 2 cores); on the CPU a corpus of one block with numpy alone. Ties are broken
    by index so the graph is deterministic.

    Returns
    -------
    indices : ndarray of shape (n_samples, k), int32
    distances : ndarray of shape (n_samples, k), float32
        Cosine distances ``1 - cos``, ascending along each row.
    """
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    normalised_rows = (X / np.where(norms > 0, norms, 1)).astype(np.float32)
    if len(X) <= block and device == "cpu":  # one block: numpy alone, so a small run never imports torch
        products = normalised_rows @ normalised_rows.T
        np.fill_diagonal(products, np.inf)  # the point itself always comes first
        nearest = np.argpartition(-products, k - 1, axis=1)[:, :k].astype(np.int32)
        return _ordered(nearest, np.take_along_axis(products, nearest, axis=1))
    import torch

    use_cores()
    unit = torch.from_numpy(normalised_rows).to(device)
    indices = np.empty((len(X), k), dtype=np.int32)
    similarities = np.empty((len(X), k), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(X), block):
            similarity = unit[start : start + block] @ unit.T
            rows = torch.arange(len(similarity), device=unit.device)
            similarity[rows, rows + start] = torch.inf  # the point itself always comes first
            top_similarity, top = torch.topk(similarity, k, dim=1)
            indices[start : start + block] = top.cpu().numpy()
            similarities[start : start + block] = top_similarity.cpu().numpy()
    return _ordered(indices, similarities)


def _ordered(
    indices: npt.NDArray[np.int32], similarities: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Nearest first, ties by index (a deterministic graph); similarities as cosine distances."""
    order = np.lexsort((indices, -similarities), axis=1)
    indices = np.take_along_axis(indices, order, axis=1)
    similarities = np.take_along_axis(similarities, order, axis=1)
    similarities[:, 0] = 1.0
    return indices, np.clip(1.0 - similarities, 0.0, 2.0)


class UmapReducer:
    """UMAP projection that reuses a precomputed neighbour graph.

    Parameters
    ----------
    n_components : int, default=5
    min_dist : float, default=0.0
        0 packs clusters tightly (good for clustering); ~0.1 spreads points on a map.
    random_state : int, default=42
        Seeded UMAP is deterministic (and runs its layout on one thread).
    n_epochs : int, optional
        Optimisation epochs; default UMAP's own (200 above 10,000 points, 500 below).
    init : ndarray of shape (n_samples, n_components), optional
        Starting coordinates (e.g. derived from an earlier projection); default spectral.
    batch : bool, default=False
        Optimise in batch epochs on every core, the same result on any number of threads
        (topicmap/pipeline/batch_layout.py); False: umap-learn's optimiser, on one thread when seeded.
    device : str, default="cpu"
        With ``batch``: ``cuda`` runs the batch epochs on the GPU (topicmap/pipeline/gpu.py).

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components), float32
    """

    def __init__(
        self,
        *,
        n_components: int = 5,
        min_dist: float = 0.0,
        random_state: int = 42,
        n_epochs: int | None = None,
        init: npt.NDArray[np.float32] | None = None,
        batch: bool = False,
        device: str = "cpu",
    ) -> None:
        self.n_components = n_components
        self.min_dist = min_dist
        self.random_state = random_state
        self.n_epochs = n_epochs
        self.init = init
        self.batch = batch
        self.device = device

    def fit(self, X: npt.NDArray[np.float32], graph: NeighbourGraph) -> UmapReducer:
        from umap import UMAP

        if len(X) != len(graph.indices_):
            raise ValueError("the neighbour graph was built for other data")
        n_components = min(self.n_components, len(X) - 2)
        if self.batch:
            from topicmap.pipeline.batch_layout import batch_umap  # compiled code: after the JIT cache is set

            start = self._init(len(X), n_components)
            self.embedding_ = batch_umap(
                X,
                graph.fuzzy(X),
                n_components=n_components,
                min_dist=self.min_dist,
                seed=self.random_state,
                n_epochs=self.n_epochs,
                init=None if isinstance(start, str) else start,
                device=self.device,
            )
            return self
        model = UMAP(
            n_neighbors=graph.n_neighbors_,
            n_components=n_components,
            min_dist=self.min_dist,
            metric="cosine",
            random_state=self.random_state,
            n_jobs=1,
            # UMAP changes the arrays in place, so it gets copies; forcing the approximate path
            # makes it use our graph for small corpora too instead of all pairwise distances.
            precomputed_knn=(graph.indices_.copy(), graph.distances_.copy(), None),
            force_approximation_algorithm=True,
            init=self._init(len(X), n_components),
            n_epochs=self.n_epochs,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "n_jobs overridden by random_state" and friends
            embedding = model.fit_transform(X)
        self.embedding_ = np.asarray(embedding, dtype=np.float32)
        return self

    def _init(self, n_samples: int, n_components: int) -> str | npt.NDArray[np.float32]:
        if self.init is not None:
            if self.init.shape != (n_samples, n_components):
                raise ValueError(f"init must have shape ({n_samples}, {n_components})")
            return self.init
        # Spectral initialisation needs many more points than components.
        return "spectral" if n_samples > 4 * n_components + 10 else "random"
