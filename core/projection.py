"""Project embeddings to 2D or 3D with PCA or UMAP, deterministically, whatever the input size."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("pca", "umap")
MIN_UMAP_POINTS = 10
# Above this many points UMAP runs on a 50-dimensional PCA of the vectors: the neighbour search in
# 384 dimensions dominates its time (bench/run.py measures both).
UMAP_ON_PCA_ABOVE = 5_000
UMAP_PCA_DIMS = 50


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


def project(X, *, method: str = "pca", n_components: int = 2, seed: int = 0, n_neighbors: int = 15) -> np.ndarray:
    """(n, n_components) float32 coordinates; the same input and seed give the same map."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError("Embeddings must be a 2-D array (documents x dimensions).")
    plan = plan_projection(len(X), method=method, n_components=n_components, n_neighbors=n_neighbors,
                           dims=X.shape[1])
    if plan.method == "umap":
        coords = _umap(X, plan, seed)
    else:
        coords = pca(X, n_components, seed)
    return np.nan_to_num(coords).astype(np.float32)


def pca(X: np.ndarray, n_components: int, seed: int = 0) -> np.ndarray:
    """PCA coordinates, padded with zeros when the data has fewer dimensions than asked for."""
    out = np.zeros((len(X), n_components), dtype=np.float32)
    k = min(n_components, len(X), X.shape[1])
    if len(X) < 2 or k == 0:
        return out
    from sklearn.decomposition import PCA

    out[:, :k] = PCA(n_components=k, random_state=seed).fit_transform(X)
    return out


def explained_variance(X, n_components: int) -> list[float]:
    """Share of the variance each of the first principal components explains."""
    from sklearn.decomposition import PCA

    X = np.asarray(X, dtype=np.float32)
    k = min(n_components, len(X), X.shape[1])
    if len(X) < 2 or k == 0:
        return []
    return PCA(n_components=k).fit(X).explained_variance_ratio_.tolist()


def _umap(X: np.ndarray, plan: ProjectionPlan, seed: int) -> np.ndarray:
    import umap

    if plan.pca_first:
        X = pca(X, plan.pca_first, seed)
    reducer = umap.UMAP(n_components=plan.n_components, n_neighbors=plan.n_neighbors, metric="cosine",
                        min_dist=0.1, random_state=seed, n_jobs=1, init="spectral")
    return reducer.fit_transform(X)


def warm_up_umap() -> None:
    """Compile UMAP's numba code on a tiny input, so that a user's first UMAP map does not pay for it."""
    rng = np.random.default_rng(0)
    project(rng.normal(size=(60, 8)).astype(np.float32), method="umap", n_neighbors=5)
