"""Regenerate the dated Flutter seasons: python data/make_flutter_seasons.py

A year of flits (March 2025 to February 2026, northern seasons) drawn from the project's Flutter posts
(`flutter_posts.py`) by the birds of `make_flutter.py`, with a topic mix that changes with the season:
nesting and song in spring, foraging and moulting in summer, migration and weather in autumn, weather
and city life in winter. Inside a season the mix is constant, so two weeks of one season differ only by
chance; that is the Drift page's built-in story. Seeded, so `flutter_seasons.csv` is reproduced byte for
byte (a test checks this).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent
from flutter_posts import POSTS
from make_flutter import make_users

SEED = 11
START, END = "2025-03-01", "2026-02-28"
FLITS_PER_DAY = 4.0
SEASON_OF_MONTH = {3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer",
                   9: "autumn", 10: "autumn", 11: "autumn", 12: "winter", 1: "winter", 2: "winter"}
# Relative weight of each topic per season (every topic keeps a little weight all year).
MIX = {
    "spring": {"nesting": 8, "song": 5, "migration": 3, "predators": 3, "foraging": 2, "feathers": 2},
    "summer": {"foraging": 6, "feathers": 5, "travel": 4, "city life": 3, "song": 2, "nesting": 2},
    "autumn": {"migration": 9, "weather": 4, "foraging": 3, "travel": 2, "feathers": 1},
    "winter": {"weather": 7, "city life": 5, "dreams": 4, "foraging": 3, "predators": 2},
}
BACKGROUND = 0.5


def topic_probabilities(season: str, topics: list[str]) -> np.ndarray:
    weights = np.array([MIX[season].get(topic, 0) + BACKGROUND for topic in topics], dtype=float)
    return weights / weights.sum()


def build() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    topics = list(POSTS)
    users = make_users(rng, topics)
    rows = []
    for day in pd.date_range(START, END, freq="D"):
        season = SEASON_OF_MONTH[day.month]
        for topic in rng.choice(topics, size=rng.poisson(FLITS_PER_DAY), p=topic_probabilities(season, topics)):
            fans = users.bird_id[users.favourite_topic == topic].tolist() or users.bird_id.tolist()
            rows.append({"text": POSTS[topic][rng.integers(len(POSTS[topic]))], "topic": topic,
                         "date": day.strftime("%Y-%m-%d"), "season": season, "bird_id": rng.choice(fans)})
    return pd.DataFrame(rows)


def csv_text(flits: pd.DataFrame) -> str:
    return flits.to_csv(index=False, lineterminator="\n")


if __name__ == "__main__":
    flits = build()
    (DATA / "flutter_seasons.csv").write_text(csv_text(flits), encoding="utf-8")
    print(f"wrote {len(flits)} dated flits from {START} to {END} to {DATA / 'flutter_seasons.csv'}")
    print(pd.crosstab(flits.topic, flits.season))
