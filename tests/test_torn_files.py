"""Chroma's HNSW files torn or overwritten, file by file and collection by collection, and the SQLite file's tail:
no process of ours dies, the damage is named, and the next writer rebuilds what was lost from the stored articles.

Before these checks a torn header or neighbour list crashed every process that opened the index (SIGSEGV inside
Chroma's hnswlib, seen with `benchmarks/kill_ingest.py` seed 149982262), so nothing could repair it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.kill_ingest import child_env, final_failures, ingest_command, inspect, run_ingest
from index.store import segments

from .conftest import REPO

CLI = [sys.executable, "-m", "assistant"]
KINDS = ("articles", "chunks", "sentences", "writes")
N_ARTICLES = 60  # written twice (v1, then v2) into collections that save every 100 writes: all of them save
# Each damage hits the part of the file that holds the saved elements (`used` bytes; hnswlib preallocates more):
DAMAGE = {
    "truncated": lambda data, used: data[: used // 2],
    # a block of 0xFF a third in: NaN vector values, neighbour counts past the maximum, an invalid pickle opcode
    "overwritten": lambda data, used: data[: used // 3] + b"\xff" * min(4096, used - used // 3)
    + data[used // 3 + min(4096, used - used // 3) :],
}


def used_bytes(folder: Path, name: str, data: bytes) -> int:
    """How much of the file the saved elements occupy (data_level0.bin and length.bin are preallocated)."""
    header = segments.HEADER.unpack((folder / "header.bin").read_bytes())
    cur, size = header[3], header[4]
    return {"data_level0.bin": cur * size, "length.bin": cur * 4}.get(name, len(data))


def tiny_corpus(path: Path, version: int) -> Path:
    """N_ARTICLES short reports in JSONL; version 2 changes every text (so every article is written again)."""
    with path.open("w", encoding="utf-8") as fh:
        for n in range(N_ARTICLES):
            text = (f"Town {n} council approved {n + version} new homes on Monday. The mayor of Town {n} said the "
                    f"vote was close. Residents of Town {n} had asked for {n * 3} homes. Building starts in spring. "
                    f"Revision {version}.")
            fh.write(json.dumps({"id": f"town-{n}", "title": f"Town {n} homes", "source": "Town Wire",
                                 "published_at": "2026-03-02", "text": text}) + "\n")
    return path


@pytest.fixture(scope="module")
def torn_base(tmp_path_factory):
    """A real index whose four collections have all saved their HNSW files (with elements in them)."""
    work = tmp_path_factory.mktemp("torn")
    index = work / "index"
    v2 = tiny_corpus(work / "v2.jsonl", 2)
    for corpus in (tiny_corpus(work / "v1.jsonl", 1), v2):
        run = subprocess.run(ingest_command(corpus, index, "hash"), cwd=REPO, capture_output=True, text=True,
                             env={**child_env(), "ASSISTANT_HNSW_SYNC_THRESHOLD": "100"})
        assert run.returncode == 0, run.stderr[-2000:]
    folders = {s.collection.removeprefix("news-"): index / s.id for s in segments.vector_segments(index)}
    for kind in KINDS:
        header = segments.HEADER.unpack((folders[kind] / "header.bin").read_bytes())
        assert header[3] > 0, f"news-{kind} saved no elements: the corpus is too small to test its files"
    return index, v2, folders


def damaged_copy(torn_base, tmp_path: Path, kind: str, name: str, how: str) -> Path:
    index, _, folders = torn_base
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    target = copy / folders[kind].name / name
    data = target.read_bytes()
    target.write_bytes(DAMAGE[how](data, used_bytes(target.parent, name, data)))
    return copy


@pytest.mark.parametrize("how", sorted(DAMAGE))
@pytest.mark.parametrize("name", segments.FILES)
@pytest.mark.parametrize("kind", KINDS)
def test_each_torn_file_of_each_collection_is_found_before_chroma_may_load_it(torn_base, tmp_path, kind, name, how):
    copy = damaged_copy(torn_base, tmp_path, kind, name, how)
    found = segments.inspect(copy, use_stamps=False)
    assert [d.collection for d in found] == [f"news-{kind}"]
    assert name in found[0].problem or (name == "header.bin" and "header" in found[0].problem)


def test_an_intact_index_passes_and_its_stamps_spare_the_second_look(torn_base, tmp_path):
    index, _, _ = torn_base
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    assert segments.inspect(copy) == []
    stamps = json.loads((copy / segments.STAMPS).read_text())
    assert len(stamps) == 4
    (copy / next(iter(stamps)) / "header.bin").write_bytes(b"")  # a changed file is read again
    assert len(segments.inspect(copy)) == 1


# (collection, file, damage) run end to end through real processes: one of every file and every collection.
END_TO_END = [("sentences", "header.bin", "truncated"), ("chunks", "data_level0.bin", "overwritten"),
              ("chunks", "link_lists.bin", "truncated"), ("sentences", "length.bin", "overwritten"),
              ("sentences", "index_metadata.pickle", "truncated"), ("articles", "header.bin", "overwritten"),
              ("writes", "link_lists.bin", "overwritten")]


@pytest.mark.parametrize(("kind", "name", "how"), END_TO_END, ids=[f"{k}-{n}-{h}" for k, n, h in END_TO_END])
def test_no_process_dies_on_a_torn_file_and_the_next_ingest_rebuilds_it(torn_base, tmp_path, kind, name, how):
    _, v2, _ = torn_base
    copy = damaged_copy(torn_base, tmp_path, kind, name, how)
    store_args = ["--index", str(copy), "--embedder", "hash"]
    ask = subprocess.run([*CLI, "ask", "How many homes did Town 7 approve?", *store_args], cwd=REPO,
                         env=child_env(), capture_output=True, text=True)
    if kind == "sentences":  # the lexical index keeps every sentence vector: answers stand; check tells
        assert ask.returncode == 0 and "9 new homes" in ask.stdout, ask.stderr[-2000:]
        check = subprocess.run([*CLI, "check", *store_args], cwd=REPO, env=child_env(), capture_output=True,
                               text=True)
        assert check.returncode == 1 and f"news-{kind}: its vector files were torn" in check.stdout
    elif kind == "chunks":  # its vectors are lost: readers are told, and how to repair
        assert ask.returncode == 2, ask.stderr[-2000:]
        assert f"news-{kind} were torn" in ask.stderr and name.split(".")[0] in ask.stderr
        assert "assistant check --repair" in ask.stderr
        check = subprocess.run([*CLI, "check", *store_args], cwd=REPO, env=child_env(), capture_output=True,
                               text=True)
        assert check.returncode == 1 and f"news-{kind}: its vector files were torn" in check.stdout
    else:  # placeholder vectors: moving the torn files aside is the whole repair, the answer stands
        assert ask.returncode == 0, ask.stderr[-2000:]
        assert "9 new homes" in ask.stdout
    _, report = run_ingest(v2, copy, "hash")  # any writer rebuilds
    if kind in ("chunks", "sentences"):
        assert any(f"news-{kind}: its vector files were torn" in line for line in report["recovered"])
        assert len(report["updated"]) == N_ARTICLES
    final = inspect(copy, [v2], "hash", questions=3, seed=1, final=True)
    assert final_failures(final) == []
    assert not list(copy.glob(f"*{segments.QUARANTINE}"))  # nothing left moved aside


def test_a_torn_file_is_rebuilt_at_serve_start_up_while_questions_are_answered(torn_base, tmp_path):
    import httpx

    from .serving import start_server

    copy = damaged_copy(torn_base, tmp_path, "sentences", "link_lists.bin", "truncated")
    server = start_server(copy, tmp_path / "serve.log", env={"ASSISTANT_EMBEDDER": "hash"})
    try:
        first = httpx.post(f"{server.url}/api/ask", json={"question": "How many homes did Town 7 approve?"},
                           timeout=60)
        assert first.status_code == 200  # served from the start: what is not yet searchable is said
        for _ in range(300):
            if "embedded again" in server.output():
                break
            import time

            time.sleep(0.2)
        answer = httpx.post(f"{server.url}/api/ask", json={"question": "How many homes did Town 7 approve?"},
                            timeout=60).json()
        assert "Not searched" not in answer["answer"] and answer["short_answer"] == "9"
        assert "news-sentences: its vector files were torn" in server.output()
    finally:
        server.stop()


@pytest.mark.parametrize("how", ["cut three pages", "garbage in the free pages"])
def test_the_sqlite_file_s_tail_damaged(torn_base, tmp_path, how):
    """Cut short, SQLite reports a malformed database: every command says so and how to restore (no crash, no
    silent empty index). Overwritten, the tail holds only free pages here: nothing is lost."""
    index, _, _ = torn_base
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    db = copy / "chroma.sqlite3"
    data = db.read_bytes()
    if how == "cut three pages":
        db.write_bytes(data[: len(data) - 3 * 4096])
    else:
        free = _free_pages(db)
        assert free, "no free pages to overwrite"
        raw = bytearray(data)
        for page in free:
            raw[(page - 1) * 4096 : page * 4096] = b"\x5a" * 4096
        db.write_bytes(bytes(raw))
    store_args = ["--index", str(copy), "--embedder", "hash"]
    for cmd in (["ask", "How many homes did Town 7 approve?"], ["list"], ["check"]):
        run = subprocess.run([*CLI, *cmd, *store_args], cwd=REPO, env=child_env(), capture_output=True, text=True)
        assert run.returncode >= 0, f"{cmd[0]} died: {run.returncode}"
        if how == "cut three pages":
            assert run.returncode == 2 and "record database" in run.stderr and "backup" in run.stderr, run.stderr
        else:
            assert run.returncode == 0, run.stderr[-2000:]


def _free_pages(db: Path) -> list[int]:
    """Page numbers on SQLite's freelist (trunk pages and their leaves)."""
    import struct

    data = db.read_bytes()
    page_size = struct.unpack(">H", data[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    trunk = struct.unpack(">I", data[32:36])[0]
    pages = []
    while trunk:
        off = (trunk - 1) * page_size
        nxt, count = struct.unpack(">II", data[off : off + 8])
        pages += list(struct.unpack(f">{count}I", data[off + 8 : off + 8 + 4 * count]))
        trunk = nxt
    return pages


def test_without_the_check_chroma_itself_dies_on_such_a_file(torn_base, tmp_path):
    """Why the check exists: a chunk header that promises more elements than data_level0.bin holds (the header is
    saved apart from the data, so a kill between the two can leave this) takes the whole process down when Chroma
    loads it (SIGSEGV in hnswlib), and the check finds it first. Half a header no longer does with Chroma 1.5.9 on
    this index (since articles are written in groups, 2026-12-02): it reads, or raises an error, depending on which
    fields the cut leaves; the matrix above finds both."""
    index, _, folders = torn_base
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    header = copy / folders["chunks"].name / "header.bin"
    data = header.read_bytes()
    fields = list(segments.HEADER.unpack(data[: segments.HEADER.size]))
    fields[3] = fields[3] * 1000 + 1000  # cur_element_count
    header.write_bytes(segments.HEADER.pack(*fields) + data[segments.HEADER.size :])
    found = segments.inspect(copy, use_stamps=False)
    assert [d.collection for d in found] == ["news-chunks"], found
    script = ("import chromadb, sys; from chromadb.config import Settings; "
              "c = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False)); "
              "col = c.get_collection('news-chunks', embedding_function=None); col.count(); "
              "col.query(query_embeddings=[[0.05] * 384], n_results=1)")
    run = subprocess.run([sys.executable, "-c", script, str(copy)], env=child_env(), capture_output=True, text=True)
    assert run.returncode < 0, f"Chroma survived the torn header ({run.returncode}): the check may be stale"
