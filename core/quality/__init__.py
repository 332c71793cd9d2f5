"""What may be wrong with a dataset, from its one neighbour graph: near-duplicates, outliers and likely label
errors (issue 21). Each function takes a core Dataset or an array of vectors and returns a DataFrame ranked most
likely first, with the document's `row`, a `score`, and the evidence: its nearest rows and their cosines.

    core.quality.near_duplicates(data, threshold=0.95)    # + group, exact (the texts are the same)
    core.quality.outliers(data)                            # + percentile
    core.quality.label_issues(data, labels=None)           # + label, suggested, confidence
    core.quality.quality_report(data)                      # all three, one line a document (python -m core quality)
    core.quality.findings(report, "labels")                # one kind, ranked; rows_to_drop, summary: cleaning

Neighbours come from the dataset (its exact kNN graph, or a collection's index) or, for plain vectors, from an
exact cosine search; nothing here is random, so every score is the same on every run.
"""
from core.quality.findings import QualityError, label_issues, near_duplicates, outliers
from core.quality.report import findings, quality_report, rows_to_drop, summary

__all__ = ["QualityError", "findings", "label_issues", "near_duplicates", "outliers", "quality_report", "rows_to_drop",
           "summary"]
