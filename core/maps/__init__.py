"""From vectors to a map: projection (PCA, UMAP) and clusters named by their distinctive words."""
