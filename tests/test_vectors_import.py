import io
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest

from core.sources.corpus import CorpusError
from core.export import projector_tsv
from core.sources.vectors import import_vectors

import core

CORPUS = core.Corpus(name="c", texts=["one bird", "two birds", "three owls"], labels=["a", "b", "a"])
VECTORS = np.arange(12, dtype=np.float32).reshape(3, 4) / 10


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_projector_round_trip():
    vectors_tsv, metadata_tsv = projector_tsv(CORPUS, VECTORS)
    corpus, vectors = import_vectors({"vectors.tsv": vectors_tsv, "metadata.tsv": metadata_tsv})
    assert corpus.texts == CORPUS.texts and corpus.labels == CORPUS.labels
    np.testing.assert_allclose(vectors, VECTORS, atol=1e-6)
    single = import_vectors({"vectors.tsv": vectors_tsv, "metadata.tsv": b"x\ny\nz\n"})[0]
    assert single.texts == ["x", "y", "z"]


def test_npy_with_metadata_and_parquet_with_a_vector_column():
    corpus, vectors = import_vectors({"v.npy": npy(VECTORS), "meta.csv": b"text,topic\nx,a\ny,b\nz,a\n"})
    assert corpus.texts == ["x", "y", "z"] and corpus.labels == ["a", "b", "a"] and vectors.shape == (3, 4)
    buffer = io.BytesIO()
    pd.DataFrame({"text": CORPUS.texts, "embedding": list(VECTORS)}).to_parquet(buffer)
    corpus, vectors = import_vectors({"e.parquet": buffer.getvalue()})
    np.testing.assert_allclose(vectors, VECTORS)


@pytest.mark.parametrize("files,fix", [
    ({"v.npy": npy(VECTORS), "meta.csv": b"text\nx\ny\n"}, "3 vectors but 2 metadata rows"),
    ({"v.npy": npy(np.array([[1.0, np.nan], [1, 2], [3, 4]])), "meta.csv": b"text\nx\ny\nz\n"}, "NaN or infinite"),
    ({"v.npy": npy(np.array([[1.0, np.inf], [1, 2], [3, 4]])), "meta.csv": b"text\nx\ny\nz\n"}, "row 1"),
    ({"v.npy": pickle.dumps({"evil": 1}), "meta.csv": b"text\nx\n"}, "pickled objects are never loaded"),
    ({"v.npy": npy(np.array([{"a": 1}], dtype=object)), "meta.csv": b"text\nx\n"}, "never loaded"),
    ({"vectors.tsv": b"1\t2\nx\ty\n", "metadata.tsv": b"a\nb\n"}, "only numbers"),
    ({"vectors.tsv": b"1\t2\n3\t4\n", "metadata.tsv": b"a\n"}, "2 vectors but 1 metadata rows"),
    ({"v.npy": npy(VECTORS)}, "one .npy file of vectors and one CSV"),
    ({"only.csv": b"text\nx\n"}, "To import vectors"),
    ({"p.zip": b"PK\x03\x04 not really a zip"}, "not a readable zip archive"),
    ({"p.zip": zipped({"readme.txt": b"hello"})}, "holds no vectors.tsv"),
    ({"p.zip": zipped({"vectors.tsv": b"1\t2\n"}), "metadata.tsv": b"a\n"}, "on its own"),
    ({"p.zip": zipped({"vectors.tsv": b"1\t2\n3\t4\n", "metadata.tsv": b"a\n"})}, "2 vectors but 1 metadata rows"),
    ({"vectors.tsv": b"1\t2\n3\t4\n", "metadata.tsv": b"text\tlabel\na\tx\nb\n"}, "Line 3 of metadata.tsv"),
])
def test_bad_vector_uploads_say_what_to_fix(files, fix):
    with pytest.raises(CorpusError, match=fix):
        import_vectors(files)


def test_parquet_without_or_with_ragged_vectors():
    buffer = io.BytesIO()
    pd.DataFrame({"text": ["a", "b"], "n": [1, 2]}).to_parquet(buffer)
    with pytest.raises(CorpusError, match="vector column"):
        import_vectors({"x.parquet": buffer.getvalue()})
    buffer = io.BytesIO()
    pd.DataFrame({"text": ["a", "b"], "vector": [[1.0, 2.0], [1.0]]}).to_parquet(buffer)
    with pytest.raises(CorpusError, match="one length"):
        import_vectors({"x.parquet": buffer.getvalue()})


def test_a_zip_from_another_tool_with_folders_and_hidden_files():
    archive = zipped({"export/vectors.tsv": b"1\t2\n3\t4\n", "export/metadata.tsv": b"owl\ngull\n",
                      "__MACOSX/export/._vectors.tsv": b"\x00junk", "export/.DS_Store": b"\x00"})
    corpus, vectors = import_vectors({"export.zip": archive})
    assert corpus.texts == ["owl", "gull"] and vectors.tolist() == [[1, 2], [3, 4]]
