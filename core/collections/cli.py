"""`python -m core build`: the command line of a collection build."""
from __future__ import annotations

import json
import time
from pathlib import Path

from core.collections.build import DTYPES, ENGINES, MAP_SAMPLE, PROJECTIONS, ROWS_PER_CHUNK, build_collection
from core.collections.refit import MODES
from core.encoders import parse_params


def add_command(commands) -> None:
    run = commands.add_parser("build", help="build a collection folder (vectors, map, ANN index) from a big source",
                              description="SOURCE is a CSV, TSV, Parquet, JSONL or text file (a document a line), "
                                          "or a folder of them. A rerun after an interruption resumes.")
    run.add_argument("source")
    run.add_argument("--encoder", required=True, help="an encoder that needs no corpus fit: minilm, minilm-static, glove")
    run.add_argument("--out", required=True, type=Path, help="the collection folder to create")
    run.add_argument("--text-column")
    run.add_argument("--label-column")
    run.add_argument("--engine", choices=ENGINES, default="local",
                     help="local: this process; ray: Ray Data batch inference on a Ray cluster (needs "
                          "requirements-scale.txt)")
    run.add_argument("--address", help="the Ray cluster to join, HEAD:6379 (default: start a local one)")
    run.add_argument("--workers", type=int, help="Ray actors that encode, each loading the encoder once "
                                                 "(default: one per CPU of the cluster)")
    run.add_argument("--batch-size", type=int, default=ROWS_PER_CHUNK,
                     help=f"documents read and encoded together, the unit of resume (default {ROWS_PER_CHUNK:,})")
    run.add_argument("--dtype", choices=DTYPES, default="float32", help="how the vectors are stored")
    run.add_argument("--projection", choices=PROJECTIONS, default="umap",
                     help=f"umap: fitted on a sample of {MAP_SAMPLE:,}, the rest placed by transform; pca: faster")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="an encoder parameter")


def run_command(args) -> int:
    started = time.perf_counter()
    try:
        out = build_collection(args.source, encoder=args.encoder, out=args.out, text_column=args.text_column,
                               label_column=args.label_column, rows_per_chunk=args.batch_size, dtype=args.dtype,
                               projection=args.projection, params=parse_params(args.param), engine=args.engine,
                               address=args.address, workers=args.workers, progress=True)
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume from the chunks already embedded.")
        return 130
    manifest = json.loads((out / "manifest.json").read_text())
    projection = manifest["projection"]
    print(f"built {out}: {manifest['rows']:,} documents x {manifest['dimensions']} dims ({args.encoder}, "
          f"{args.engine} engine) in "
          f"{time.perf_counter() - started:.0f} s; map {projection['method']} (trustworthiness "
          f"{projection['trustworthiness']:.3f} on {projection['quality_sample']:,} documents)")
    return 0


def add_append_command(commands) -> None:
    run = commands.add_parser("append", help="append a source's documents to a collection (old points stay put)",
                              description="Embeds SOURCE with the collection's own encoder, adds it to the vectors, "
                                          "texts, index and map, and records the batch with its drift verdict. A "
                                          "rerun after an interruption resumes.")
    run.add_argument("collection", type=Path)
    run.add_argument("source")
    run.add_argument("--engine", choices=ENGINES, default="local")
    run.add_argument("--address", help="the Ray cluster to join (with --engine ray)")
    run.add_argument("--workers", type=int, help="Ray actors that encode (with --engine ray)")
    run.add_argument("--batch-size", type=int, default=ROWS_PER_CHUNK, help="documents read and encoded together")


def run_append(args) -> int:
    from core.collections.append import append_collection

    try:
        batch = append_collection(args.collection, args.source, engine=args.engine, address=args.address,
                                  workers=args.workers, rows_per_chunk=args.batch_size, progress=True)
    except KeyboardInterrupt:
        print("interrupted: the collection is as it was; run the same command again to resume.")
        return 130
    print(describe_batch(batch))
    return 0


def describe_batch(batch: dict) -> str:
    """'batch 7: 12,000 documents in 41 s, drift p = 0.003 (drifted); grew: ...'"""
    from core.collections.append import drift_verdict, grown

    grew = ", ".join(f"{g['cluster']} ({g['before']:.0%} -> {g['batch']:.0%})" for g in grown(batch))
    return (f"batch {batch['batch']}: {batch['count']:,} documents in {batch['seconds']:.0f} s, "
            f"{drift_verdict(batch)}" + (f"; grew: {grew}" if grew else ""))


def add_refit_commands(commands) -> None:
    run = commands.add_parser("refit", help="a new map of every document, aligned to the map in use, kept beside it",
                              description="Lays out every document again starting from its current position, turns "
                                          "the new map onto the old, and reports how far points moved and the "
                                          "trustworthiness before and after. The map in use does not change: "
                                          "switch with `python -m core maps COLLECTION --use NAME`.")
    run.add_argument("collection", type=Path)
    run.add_argument("--map", choices=MODES, default="sample", dest="mode",
                     help=f"sample: UMAP fitted on {MAP_SAMPLE:,} documents, the rest by transform (as a build); "
                          "full: UMAP on every document with the collection's own kNN graph")
    run.add_argument("--seed", type=int, default=0)
    maps = commands.add_parser("maps", help="list a collection's maps, or choose the one in use",
                               description="The map in use and the maps kept beside it, with their "
                                           "trustworthiness; --use NAME makes a kept map the one the app shows "
                                           "(the one it replaces is kept).")
    maps.add_argument("collection", type=Path)
    maps.add_argument("--use", metavar="NAME", help="the kept map to use, e.g. 'refit 1' or 'built'")


def run_refit(args) -> int:
    from core.collections.refit import refit_collection

    record = refit_collection(args.collection, mode=args.mode, seed=args.seed, progress=True)
    before, after = record["before"], record["projection"]
    moved = after["moved"]
    print(f"{record['name']} of {args.collection.name} ({record['mode']}, {record['seconds']:.0f} s): "
          f"trustworthiness {before['trustworthiness']:.3f} -> {after['trustworthiness']:.3f}, continuity "
          f"{before['continuity']:.3f} -> {after['continuity']:.3f}; points moved a median "
          f"{moved['median']:.3f} of the map's spread ({moved['share_over_0.1']:.0%} more than 0.1). The map in "
          f"use is unchanged: `python -m core maps {args.collection} --use '{record['name']}'` switches.")
    return 0


def run_maps(args) -> int:
    from core.collections.collection import open_collection
    from core.collections.refit import maps_table, use_map

    manifest = use_map(args.collection, args.use) if args.use else open_collection(args.collection).manifest
    print(maps_table(manifest).to_string(index=False))
    return 0
