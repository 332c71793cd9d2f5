"""Neighbours by cosine: exact search and similarity matrices, the kNN graph computed once per embedding, the
index comparison behind the collections' ANN choice, and how far a map keeps neighbourhoods (trust metrics)."""
