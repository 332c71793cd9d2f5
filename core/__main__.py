"""Batch work from the command line.

    python -m core embed INPUT --encoder NAME --out FILE [--text-column C] [--label-column C] [--param k=v ...]
    python -m core map LINK --out FILE.csv
    python -m core drift REFERENCE CURRENT --encoder NAME [--method classifier|mmd] [--seed N] [--alpha A]
        [--fail-on-drift]
    python -m core build SOURCE --encoder NAME --out DIR [--text-column C] [--label-column C] [--dtype float16]
        [--engine local|ray] [--address HEAD:6379] [--workers N]
    python -m core append COLLECTION SOURCE [--engine local|ray]: new documents, old points untouched
    python -m core refit COLLECTION [--map sample|full]: a new map of every document, aligned, kept beside
    python -m core maps COLLECTION [--use NAME]: the maps of a collection, and which one the app shows
    python -m core export-html SOURCE --out MAP.html [--encoder NAME] [--text-column C] [--label-column C]
        [--method umap|pca] [--k 10] [--title TEXT]
    python -m core publish SOURCE --out SITE/ [the same options]: a static folder, for maps too big for one file
    python -m core quality SOURCE [--out REPORT.parquet] [--encoder NAME] [--k 10] [--threshold 0.95]
    python -m core topics COLLECTION: the map's topics at several levels, named, kept for the app

INPUT is a bundled corpus name or a file (.txt, .csv, .tsv, .jsonl, .parquet); FILE ends in .npy
(vectors only) or .parquet (text, label and a vector column).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from core.analyses.drift import ALPHA, METHODS, DriftError, drift
from core.collections import cli as collections_cli
from core.collections.sources import CollectionError
from core.sources.corpus import Corpus, CorpusError
from core.sources.bundled import BUNDLED, load_corpus
from core.encoders import ENCODERS, EncoderError, default_params, parse_params
from core.pipeline import embed
from core.progress import progress_bar


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        commands = {"precompute": _precompute, "map": _map, "embed": _embed, "drift": _drift,
                    "build": collections_cli.run_command, "export-html": _export_html,
                    "publish": _export_html, "quality": _quality, "append": collections_cli.run_append,
                    "refit": collections_cli.run_refit, "maps": collections_cli.run_maps, "topics": _topics}
        return commands[args.command](args)
    except (CorpusError, EncoderError, DriftError, CollectionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Murmuration batch tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("embed", help="embed a corpus and write the vectors")
    run.add_argument("input", help="a bundled corpus name or a file")
    run.add_argument("--encoder", required=True, choices=list(ENCODERS))
    run.add_argument("--out", required=True, type=Path, help="output file, .npy or .parquet")
    run.add_argument("--text-column")
    run.add_argument("--label-column")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="an encoder parameter, e.g. --param n_components=50 (repeatable)")
    shared = commands.add_parser("map", help="compute the map a share link shows, and write its coordinates")
    shared.add_argument("link", help="a share link, or just its query (e.g. 'corpus=words&encoder=lsa&method=umap')")
    shared.add_argument("--out", required=True, type=Path, help="output CSV: row, x, y[, z], text, label")
    warm = commands.add_parser("precompute", help="store embeddings, kNN graphs and 2D UMAP and PCA maps in a "
                                                  "disk cache folder")
    warm.add_argument("corpora", nargs="+", help="bundled corpus names")
    warm.add_argument("--encoder", action="append", required=True, choices=list(ENCODERS))
    warm.add_argument("--cache", type=Path, required=True, help="the cache folder (e.g. data/cache)")
    warm.add_argument("--embeddings-only", action="store_true", help="store the vectors only, no kNN graph or maps")
    warm.add_argument("--dtype", choices=("float32", "float16"), default="float32",
                      help="how the vectors are stored: float16 halves the file (cosine to the encoder's above "
                           "0.9999); pages read them back as float32")
    _add_drift(commands)
    collections_cli.add_command(commands)
    collections_cli.add_append_command(commands)
    collections_cli.add_refit_commands(commands)
    _add_export_html(commands)
    _add_quality(commands)
    _add_topics(commands)
    return parser


def _add_topics(commands) -> None:
    run = commands.add_parser("topics", help="a collection's topics at several levels, named, kept for the app",
                              description="Builds the topic hierarchy of the collection's map in use (a build does "
                                          "it; run this after an append or a switch of maps) and prints its table "
                                          "of contents.")
    run.add_argument("collection", type=Path)


def _topics(args) -> int:
    from core.collections import open_collection
    from core.maps.topics import store_in_collection

    found = store_in_collection(open_collection(args.collection))
    table = found.table()
    print(f"{args.collection.name}/topics.npz: {' / '.join(str(len(s)) for s in found.sizes)} topics by level"
          + (f" ({found.note})" if found.note else ""))
    print(table[table.level < 2].to_string(index=False))
    return 0


def _add_quality(commands) -> None:
    run = commands.add_parser("quality", help="near-duplicates, outliers and likely label errors, a line a document",
                              description="SOURCE is anything core.open_dataset opens; a collection is searched "
                                          "through its index, with progress.")
    run.add_argument("source")
    run.add_argument("--out", type=Path, help="the report, .parquet or .csv (a collection keeps its own, for the app)")
    run.add_argument("--encoder", choices=list(ENCODERS), help="MiniLM by default (a collection has its own)")
    run.add_argument("--text-column")
    run.add_argument("--label-column")
    run.add_argument("--k", type=_neighbour_count, default=10, help="neighbours a document is judged by")
    run.add_argument("--threshold", type=float, default=0.95, help="cosine of a near-duplicate (default 0.95)")


def _quality(args) -> int:
    from core.dataset import CollectionDataset, open_dataset
    from core.quality import QualityError, quality_report
    from core.quality.findings import neighbour_graph
    from core.quality.stored import store

    try:
        if args.out is not None:
            _check_file(args.out)
        elif not Path(args.source).is_dir():
            raise ValueError("give --out REPORT.parquet (only a collection keeps its results itself)")
        dataset = open_dataset(args.source, encoder=args.encoder, text_column=args.text_column,
                               label_column=args.label_column, method="pca")
        collection = dataset.collection if isinstance(dataset, CollectionDataset) else None
        with progress_bar("neighbours", len(dataset)) as bar:
            graph = neighbour_graph(dataset, args.k, lambda done, total: bar.update(done - bar.n))
        report, label_note = quality_report(dataset, k=args.k, threshold=args.threshold, graph=graph)
    except (ValueError, QualityError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    written = []
    if collection is not None:
        kept = store(collection, graph, report, threshold=args.threshold, label_note=label_note)
        written.append(f"{collection.name}/{kept.name}")
    if args.out is not None:
        report.to_csv(args.out, index=False) if args.out.suffix == ".csv" else report.to_parquet(args.out, index=False)
        written.append(str(args.out))
    duplicates = report.duplicate_group.max() + 1
    print(f"{' and '.join(written)}: {len(report):,} documents; {duplicates:,} groups of near-duplicates at cosine "
          f"{args.threshold}; the most isolated 1 % have outlier scores above "
          f"{report.outlier_score.quantile(0.99):.3f}; {label_note}")
    return 0


def _add_export_html(commands) -> None:
    for name, help_text, out in (("export-html", "write a map as one HTML file that opens from disk", "the HTML file"),
                                 ("publish", "write a map as a static folder that any file server serves",
                                  "the folder (new, or an earlier publish)")):
        run = commands.add_parser(name, help=help_text, description="SOURCE is anything core.open_dataset opens: "
                                  "a bundled corpus name, a file or a collection folder.")
        run.add_argument("source")
        run.add_argument("--out", required=True, type=Path, help=out)
        run.add_argument("--encoder", choices=list(ENCODERS), help="MiniLM by default (a collection has its own)")
        run.add_argument("--text-column")
        run.add_argument("--label-column")
        run.add_argument("--method", choices=("umap", "pca"), default="umap")
        run.add_argument("--k", type=_neighbour_count, default=10, help="neighbours listed after a click (1-100, "
                                                                         "default 10)")
        run.add_argument("--title", help="the page's title (default: the source's name)")


def _neighbour_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError("give a whole number of neighbours from 1 to 100")
    return int(text)


def _export_html(args) -> int:
    from core.dataset import open_dataset
    from core.maps.html import export_html, publish, too_big_for_one_file
    from murmuration_map.published import PublishError, check_folder

    try:   # where the output goes is checked before any work
        check_folder(args.out) if args.command == "publish" else _check_file(args.out)
    except (PublishError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    dataset = open_dataset(args.source, encoder=args.encoder, text_column=args.text_column,
                           label_column=args.label_column, method=args.method)
    title = args.title or f"{Path(args.source).name} · Murmuration map"
    if args.command == "publish":
        try:
            folder = publish(dataset, args.out, k=args.k, title=title)
        except PublishError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        size = sum(path.stat().st_size for path in folder.iterdir())
        print(f"{folder}: {len(dataset):,} documents, {size / 1e6:.1f} MB; serve it with "
              f"python -m http.server --directory {folder}")
        return 0
    too_big = too_big_for_one_file(dataset, args.k)
    if too_big:
        print(f"error: {too_big}", file=sys.stderr)
        return 2
    path = export_html(dataset, args.out, k=args.k, title=title)
    print(f"{args.out}: {len(dataset):,} documents, {path.stat().st_size / 1e6:.1f} MB")
    return 0


def _check_file(out: Path) -> None:
    if out.is_dir() or not out.parent.is_dir():
        raise ValueError(f"{out} is a folder" if out.is_dir() else f"{out.parent} does not exist: make it first")
def _add_drift(commands) -> None:
    run = commands.add_parser("drift", help="test whether CURRENT drifted away from REFERENCE",
                              description="REFERENCE and CURRENT are bundled corpus names or files, optionally "
                                          "followed by :COLUMN=VALUE to keep the rows where a column (or 'label') "
                                          "has that value, e.g. flutter-seasons:season=spring.")
    run.add_argument("reference")
    run.add_argument("current")
    run.add_argument("--encoder", required=True, choices=list(ENCODERS))
    run.add_argument("--method", choices=METHODS, default="classifier")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--alpha", type=float, default=ALPHA)
    run.add_argument("--fail-on-drift", action="store_true", help="exit with status 1 when the set drifted")


def _drift(args) -> int:
    """Both sets are embedded together (one fit for corpus-fitted encoders such as TF-IDF, so the vectors share
    one space), then split and tested."""
    reference, current = _corpus_part(args.reference), _corpus_part(args.current)
    both = Corpus(name="drift", texts=reference.texts + current.texts)
    vectors = embed(both, args.encoder).vectors
    result = drift(vectors[:len(reference)], vectors[len(reference):], method=args.method, seed=args.seed,
                   alpha=args.alpha)
    print(f"reference: {args.reference} ({result.n_reference:,} documents)")
    print(f"current:   {args.current} ({result.n_current:,} documents)")
    print(f"method: {result.method}  score ({result.score_name}): {result.score:.4f}  p-value: {result.p_value:.4g}")
    print(result.meaning)
    for note in result.notes:
        print(f"note: {note}")
    return 1 if args.fail_on_drift and result.drifted else 0


def _corpus_part(source: str) -> Corpus:
    """A bundled name or a file, optionally with ':COLUMN=VALUE' keeping the rows where COLUMN equals VALUE."""
    base, sep, condition = source.rpartition(":")
    if not sep or "=" not in condition or source in BUNDLED or Path(source).is_file():
        return load_corpus(source)
    column, _, value = condition.partition("=")
    corpus = load_corpus(base)
    if column == "label" and corpus.labels:
        values = pd.Series(corpus.labels)
    elif corpus.metadata is not None and column in corpus.metadata:
        values = corpus.metadata[column].astype(str)
    else:
        columns = corpus.metadata.columns if corpus.metadata is not None else []
        known = (["label"] if corpus.labels else []) + list(columns)
        raise CorpusError(f"'{base}' has no column '{column}'. Its columns: {', '.join(known) or 'none'}.")
    keep = np.flatnonzero((values == value).to_numpy())
    if not len(keep):
        raise CorpusError(f"No row of '{base}' has {column} = '{value}'.")
    return Corpus(name=source, texts=[corpus.texts[i] for i in keep])


def _precompute(args) -> int:
    from core.cache.disk import DiskCache
    from core.pipeline import analyse

    cache = DiskCache(args.cache)
    for name in args.corpora:
        corpus = load_corpus(name)
        for encoder in args.encoder:
            emb = embed(corpus, encoder, cache=cache) if args.dtype == "float32" else \
                _embed_as(corpus, encoder, cache, np.dtype(args.dtype))
            for method in () if args.embeddings_only else ("umap", "pca"):  # the default view first
                quality = analyse(corpus, encoder, method=method, cache=cache, embeddings=emb).map.quality
                print(f"{name} x {encoder}, 2D {method.upper()}: trustworthiness {quality['trustworthiness']:.3f}")
            print(f"{name} x {encoder}: {emb.vectors.shape} stored in {args.cache}")
    return 0


def _embed_as(corpus, encoder: str, cache, dtype: np.dtype):
    """Embeddings stored as `dtype` under their usual key and with their usual meta (computed in float32 in a
    scratch cache first); returned as computed."""
    import tempfile

    from core.cache.disk import DiskCache

    with tempfile.TemporaryDirectory() as folder:
        scratch = DiskCache(folder)
        emb = embed(corpus, encoder, cache=scratch)
        arrays, meta = scratch.load(emb.digest)
    cache.save(emb.digest, {"array": arrays["array"].astype(dtype)}, meta)
    return emb


def _map(args) -> int:
    """The same view state, pipeline and keys as the app: the coordinates equal the page's."""
    from core.export import coordinates_csv
    from core.pipeline import analyse
    from core.view import view_from_link

    view, notices = view_from_link(args.link, corpora=tuple(BUNDLED))
    for notice in notices:
        print(f"note: {notice}", file=sys.stderr)
    corpus = load_corpus(view.corpus)
    result = analyse(corpus, view.encoder, view.encoder_params(), method=view.method, n_components=view.dims,
                     seed=view.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(coordinates_csv(corpus, result.map.coords))
    quality = result.map.quality
    print(f"{view.corpus} x {view.encoder} {view.method.upper()} {view.dims}D (seed {view.seed}): "
          f"trustworthiness {quality['trustworthiness']:.3f}, continuity {quality['continuity']:.3f} "
          f"(k={quality['k']}); wrote {args.out}")
    return 0


def _embed(args) -> int:
    if args.out.suffix not in (".npy", ".parquet"):
        raise EncoderError("--out must end in .npy or .parquet.")
    corpus = load_corpus(args.input, text_column=args.text_column, label_column=args.label_column)
    for notice in corpus.notices:
        print(f"note: {notice}", file=sys.stderr)
    params = {**default_params(args.encoder), **parse_params(args.param)}
    bars = []

    def progress(done, total):
        if not bars:  # the clock starts at the first batch, so loading the model does not skew rate and ETA
            bars.append(progress_bar(args.encoder, total, initial=done))
        bars[0].update(done - bars[0].n)

    try:
        result = embed(corpus, args.encoder, params, progress=progress)
    finally:
        for bar in bars:
            bar.close()
    _write(args.out, corpus, result.vectors)
    print(f"embedded {len(corpus):,} documents from {args.input} with {args.encoder} "
          f"into {result.dimension} dimensions in {result.seconds:.1f} s; wrote {args.out}")
    print(f"key: {json.dumps(result.key, sort_keys=True)}")
    return 0


def _write(path: Path, corpus, vectors: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".npy":
        np.save(path, vectors)
        return
    import pandas as pd

    frame = pd.DataFrame({"text": corpus.texts, "vector": list(vectors)})
    if corpus.labels:
        frame.insert(1, "label", corpus.labels)
    frame.to_parquet(path, index=False)


if __name__ == "__main__":
    sys.exit(main())
