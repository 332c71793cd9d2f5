"""Drift: did the meaning of a corpus change? A calibrated test between a reference and a current set."""
from ui import drift_view, views

views.header("Drift", "Is this month's text different from last month's, and how? Pick a reference and a current set: "
             "windows of a dated corpus, two values of a column, two corpora, or the same texts under two encoders. "
             "A test says whether they differ by more than chance (with a p-value), and the map, the clusters, "
             "the documents and the words below show what moved.", context=False)
corpus = views.corpus()
drift_view.example_button(corpus)
with drift_view.steps(corpus):  # says what is computed and what is still to come
    emb = drift_view.vectors(corpus)
    if emb is not None and views.needs(corpus, 12, "A drift test (at least 6 documents in each set)"):
        mode, method = drift_view.controls(corpus, emb)
        sets = drift_view.choose_sets(corpus, emb, mode, method)
        if sets is not None and drift_view.verdict(sets, method):
            drift_view.what_drifted(sets)
