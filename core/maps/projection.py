"""Project embeddings to 2D or 3D with PCA or UMAP, deterministically, whatever the input size.

UMAP gets its neighbour graph from outside: the caller's (`knn=`), or an exact cosine kNN computed
here with one matrix product per block. Its own search (pynndescent) would cost numba compilation in
every new process, and the pipeline needs the same graph for its neighbour lists anyway.
"""
from __future__ import annotations

import atexit
import threading
import warnings
from dataclasses import dataclass, replace

import numpy as np

from core.maps.copies import distinct_knn, distinct_rows, place_copies

METHODS = ("pca", "umap")
MIN_UMAP_POINTS = 10
# Above this many points UMAP runs on a 50-dimensional PCA of the vectors: the neighbour search in
# 384 dimensions dominates its time (bench/run.py measures both).
UMAP_ON_PCA_ABOVE = 5_000
UMAP_PCA_DIMS = 50
EXACT_PCA_DIMS = 1_000
# Up to this many points UMAP's neighbour graph is the exact cosine kNN (one matrix product per block);
# above, UMAP searches for its neighbours itself (approximately).
EXACT_KNN_UP_TO = 20_000


@dataclass(frozen=True)
class ProjectionPlan:
    """What `project` will actually run for an input of this size, and a note when it differs from the request."""
    method: str
    n_components: int
    n_neighbors: int
    note: str | None = None
    pca_first: int = 0          # reduce to this many dimensions with PCA before UMAP (0: no)


def plan_projection(n_points: int, *, method: str = "pca", n_components: int = 2,
                    n_neighbors: int = 15, dims: int = 0) -> ProjectionPlan:
    if method not in METHODS:
        raise ValueError(f"Unknown projection '{method}'. Use one of: {', '.join(METHODS)}.")
    if n_components not in (2, 3):
        raise ValueError("A map has 2 or 3 dimensions.")
    if method == "umap" and n_points < MIN_UMAP_POINTS:
        return ProjectionPlan("pca", n_components, 0,
                              f"UMAP needs at least {MIN_UMAP_POINTS} points; with {n_points}, PCA is shown instead.")
    if method == "umap" and n_neighbors >= n_points:
        shrunk = max(2, n_points - 1)
        return ProjectionPlan("umap", n_components, shrunk,
                              f"UMAP's neighbourhood was shrunk from {n_neighbors} to {shrunk} "
                              f"to fit {n_points} points.")
    if method == "umap" and n_points > UMAP_ON_PCA_ABOVE and dims > UMAP_PCA_DIMS:
        return ProjectionPlan("umap", n_components, n_neighbors,
                              f"With {n_points:,} points, UMAP runs on a {UMAP_PCA_DIMS}-dimensional PCA of the "
                              "vectors, several times faster with nearly the same map.", pca_first=UMAP_PCA_DIMS)
    return ProjectionPlan(method, n_components, n_neighbors if method == "umap" else 0)


def project(X, *, method: str = "pca", n_components: int = 2, seed: int = 0, n_neighbors: int = 15,
            knn: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(n, n_components) float32 coordinates; the same input and seed give the same map.

    `knn=(indices, distances)`: each row's nearest neighbours, itself excluded, nearest first, with
    cosine distances (1 - cosine similarity), at least `n_neighbors - 1` of them, such as the pipeline's
    one kNN graph. UMAP then builds its map from that graph instead of searching again.

    UMAP maps each distinct vector once and places its copies beside it (see place_copies).
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError("Embeddings must be a 2-D array (documents x dimensions).")
    plan = plan_projection(len(X), method=method, n_components=n_components, n_neighbors=n_neighbors,
                           dims=X.shape[1])
    if plan.method == "umap":
        coords = _umap_once_per_vector(X, plan, seed, knn)
    else:
        coords = pca(X, n_components, seed)
    return np.nan_to_num(coords).astype(np.float32)


def _umap_once_per_vector(X: np.ndarray, plan: ProjectionPlan, seed: int, knn=None) -> np.ndarray:
    """UMAP of the distinct vectors, each copy placed beside its first occurrence (see place_copies). Without
    copies, exactly the map UMAP makes of X."""
    first, copy_of = distinct_rows(X)
    if len(first) == len(X):
        return _umap(X, plan, seed, knn)
    if len(first) < MIN_UMAP_POINTS:
        return pca(X, plan.n_components, seed)
    distinct_plan = replace(plan, n_neighbors=min(plan.n_neighbors, len(first) - 1))
    graph = distinct_knn(X[first], knn, first, copy_of, distinct_plan.n_neighbors - 1)
    return place_copies(_umap(X[first], distinct_plan, seed, graph), copy_of, seed)


def pca(X: np.ndarray, n_components: int, seed: int = 0) -> np.ndarray:
    """PCA coordinates, padded with zeros when the data has fewer dimensions than asked for."""
    out = np.zeros((len(X), n_components), dtype=np.float32)
    k = min(n_components, len(X), X.shape[1])
    if len(X) < 2 or k == 0:
        return out
    from sklearn.decomposition import PCA

    out[:, :k] = PCA(n_components=k, random_state=seed, svd_solver=pca_solver(X.shape[1])).fit_transform(X)
    return out


def pca_solver(dims: int) -> str:
    """Exact PCA from the covariance matrix up to EXACT_PCA_DIMS dimensions (faster than sklearn's randomized
    default there, which moves points by up to a few % of the map); randomized above, where exact takes minutes."""
    return "covariance_eigh" if dims <= EXACT_PCA_DIMS else "randomized"


def explained_variance(X, n_components: int) -> list[float]:
    """Share of the variance each of the first principal components explains."""
    from sklearn.decomposition import PCA

    X = np.asarray(X, dtype=np.float32)
    k = min(n_components, len(X), X.shape[1])
    if len(X) < 2 or k == 0:
        return []
    return PCA(n_components=k, svd_solver=pca_solver(X.shape[1])).fit(X).explained_variance_ratio_.tolist()


def _umap(X: np.ndarray, plan: ProjectionPlan, seed: int, knn=None) -> np.ndarray:
    umap = import_umap()
    graph = umap_neighbors(X, plan.n_neighbors, knn)
    if plan.pca_first:
        X = pca(X, plan.pca_first, seed)
    reducer = umap.UMAP(n_components=plan.n_components, n_neighbors=plan.n_neighbors, metric="cosine",
                        min_dist=0.1, random_state=seed, n_jobs=1, init="spectral",
                        precomputed_knn=graph or (None, None, None))
    with warnings.catch_warnings():
        # without a search index UMAP cannot place new points later (transform); the map never does that
        warnings.filterwarnings("ignore", message="precomputed_knn")
        return reducer.fit_transform(X)


def umap_neighbors(X: np.ndarray, n_neighbors: int, knn=None) -> tuple[np.ndarray, np.ndarray] | None:
    """UMAP's kNN graph: each row first (distance 0), then its n_neighbors - 1 nearest by cosine.
    From `knn` when it has enough columns, else exact; None above EXACT_KNN_UP_TO points without `knn`."""
    n, k = len(X), n_neighbors - 1
    if knn is not None and np.shape(knn[0]) == np.shape(knn[1]) and len(knn[0]) == n and np.shape(knn[0])[1] >= k:
        indices, distances = np.asarray(knn[0]), np.asarray(knn[1], dtype=np.float32)
    elif n <= EXACT_KNN_UP_TO:
        indices, distances = exact_cosine_knn(X, k)
    else:
        return None
    own = np.arange(n)[:, None]
    return (np.hstack([own, indices[:, :k]]).astype(np.int32),
            np.hstack([np.zeros((n, 1), np.float32), np.maximum(distances[:, :k], 0)]).astype(np.float32))


def exact_cosine_knn(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosine distances) of each row's k nearest rows, itself excluded, nearest first."""
    from core.neighbours.similarity import cosine_knn, normalize_rows

    indices = cosine_knn(X, k)
    Xn = normalize_rows(X)
    similarity = np.einsum("nd,nkd->nk", Xn, Xn[indices], optimize=True)
    return indices, (1.0 - similarity).astype(np.float32)


_UMAP_LOCK = threading.Lock()
CACHED_BY_US: list = []     # the numba functions whose disk cache import_umap switched on


def import_umap():
    """umap, with on-disk caching switched on for the numba functions a map uses that umap-learn
    compiles anew in every process (their compiled code is kept per source file, signature and CPU)."""
    with _UMAP_LOCK:
        import umap
        if not getattr(umap, "_murmuration_cached", False):
            _cache_numba_functions()
            umap._murmuration_cached = True
        return umap


def _cache_numba_functions() -> None:
    """Where numba keeps them: umap's __pycache__ if writable, else the user's cache folder, or
    $NUMBA_CACHE_DIR if set. Not set here: pointing it at an empty folder would make every numba
    package in the process (pynndescent's hundreds of functions) compile again once."""
    from numba.core.dispatcher import Dispatcher

    import umap.layouts
    import umap.umap_
    import umap.utils

    for module in (umap.umap_, umap.layouts, umap.utils):
        for function in vars(module).values():
            if isinstance(function, Dispatcher) and not function.signatures and _uncached(function):
                try:
                    function.enable_caching()
                except RuntimeError:  # no writable place for the cache: compile in memory as before
                    return
                CACHED_BY_US.append(function)


def _uncached(function) -> bool:
    from numba.core.caching import NullCache

    return isinstance(function._cache, NullCache)


_WARMUP: threading.Thread | None = None


def start_umap_warmup() -> threading.Thread:
    """Import umap and compile its code on a tiny input in a background thread, once per process:
    call it when a corpus starts encoding, so that the map's first UMAP call does not wait for it."""
    global _WARMUP
    with _UMAP_LOCK:
        if _WARMUP is None:
            _WARMUP = threading.Thread(target=warm_up_umap, name="umap-warmup", daemon=True)
            _WARMUP.start()
            atexit.register(_WARMUP.join, timeout=300)  # exiting inside numba's compiler aborts the process
        return _WARMUP


def warm_up_umap() -> None:
    """Compile UMAP's numba code on a tiny input, so that a user's first UMAP map does not pay for it."""
    rng = np.random.default_rng(0)
    project(rng.normal(size=(60, 8)).astype(np.float32), method="umap", n_neighbors=5)
