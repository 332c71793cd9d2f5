"""Regenerate the Flutter CSVs (flits, users, likes) from `flutter_posts.py`: python data/make_flutter.py

Birds, their home countries and tastes, authorship and like counts are drawn from a seeded
generator, so the files are reproducible byte for byte (a test checks this).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent
from flutter_posts import POSTS

SPECIES = ["robin", "kea", "wren", "tui", "swift", "heron", "kestrel", "starling", "godwit", "gull",
           "magpie", "finch", "owl", "crane", "sparrow", "pigeon", "thrush", "kiwi", "jay", "tern"]
GEOS = ["US", "UK", "NZ"]
SEED = 7
# A bird's taste: its favourite topic, a related one, and a little of everything.
RELATED = {"migration": "weather", "weather": "migration", "nesting": "predators", "predators": "nesting",
           "foraging": "city life", "city life": "foraging", "song": "dreams", "dreams": "song",
           "feathers": "nesting", "travel": "migration"}


def make_users(rng: np.random.Generator, topics: list[str]) -> pd.DataFrame:
    birds = [f"{species}_{number:02d}" for number, species in enumerate(SPECIES * 2, start=1)]
    return pd.DataFrame({
        "bird_id": birds,
        "bird_geo": rng.choice(GEOS, size=len(birds), p=[0.4, 0.35, 0.25]),
        "favourite_topic": rng.choice(topics, size=len(birds)),
    })


def make_flits(rng: np.random.Generator, users: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for topic, posts in POSTS.items():
        fans = users.loc[users.favourite_topic == topic, "bird_id"].tolist() or users.bird_id.tolist()
        for text in posts:
            # Most flits come from birds who love the topic, some from anyone.
            author = rng.choice(fans) if rng.random() < 0.7 else rng.choice(users.bird_id)
            rows.append({"bird_id": author, "topic": topic, "likes": int(rng.lognormal(2.5, 1.0)), "text": text})
    flits = pd.DataFrame(rows)
    flits.insert(0, "flit_id", [f"f{i:04d}" for i in range(len(flits))])
    return flits


def make_likes(rng: np.random.Generator, users: pd.DataFrame, flits: pd.DataFrame) -> pd.DataFrame:
    """Which birds liked which flits: about 60% from the favourite topic, 25% related, 15% anything."""
    rows = []
    for bird, favourite in zip(users.bird_id, users.favourite_topic):
        pools = [flits.flit_id[flits.topic == favourite], flits.flit_id[flits.topic == RELATED[favourite]],
                 flits.flit_id]
        liked = set()
        for pool, share in zip(pools, (0.6, 0.25, 0.15)):
            liked |= set(rng.choice(pool.to_numpy(), size=int(round(share * rng.integers(20, 32))), replace=False))
        rows += [{"bird_id": bird, "flit_id": flit} for flit in sorted(liked)]
    return pd.DataFrame(rows)


def build() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    users = make_users(rng, list(POSTS))
    flits = make_flits(rng, users)
    likes = make_likes(rng, users, flits)
    stats = flits.groupby("bird_id").agg(bird_posts=("flit_id", "size"), bird_likes=("likes", "sum"))
    users = users.join(stats, on="bird_id").fillna({"bird_posts": 0, "bird_likes": 0})
    users = users.astype({"bird_posts": int, "bird_likes": int})
    return flits, users[["bird_id", "bird_posts", "bird_geo", "bird_likes", "favourite_topic"]], likes


if __name__ == "__main__":
    flits, users, likes = build()
    flits.to_csv(DATA / "flutter_flits.csv", index=False)
    users.to_csv(DATA / "flutter_users.csv", index=False)
    likes.to_csv(DATA / "flutter_likes.csv", index=False)
    print(f"wrote {len(flits)} flits in {flits.topic.nunique()} topics, {len(users)} birds and "
          f"{len(likes)} likes to {DATA}")
