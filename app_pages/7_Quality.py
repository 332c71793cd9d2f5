"""What may be wrong with the data: near-duplicates, outliers and likely label errors, with their evidence."""
from ui import quality_view, views

views.header(
    "Quality", "What may be wrong with the data, found from each document's nearest neighbours: the same document "
    "twice, documents far from every other, and documents whose label their neighbours contradict. Tick a finding "
    "to see its evidence; export the findings, or see the map and figures without them.")
dataset = views.dataset()
if dataset is not None and views.needs(dataset, 12, "Checking the data"):
    quality_view.show(dataset)
