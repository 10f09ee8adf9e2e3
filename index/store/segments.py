"""Checks Chroma's HNSW segment files before any Chroma client may load them: a torn file can crash the process."""

from __future__ import annotations

import json
import math
import os
import pickle
import sqlite3
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Chroma (1.5.x) keeps each collection's vectors in one "hnsw-local-persisted" segment: a folder named by the
# segment's id holding hnswlib's persisted index (chroma-core/hnswlib, PERSISTENCE_VERSION 1) and Chroma's id map.
# header.bin: version, offsetLevel0, max_elements, cur_element_count, size_data_per_element, label_offset,
# offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction.
HEADER = struct.Struct("<iQQQQQQiIQQQdQ")
FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin", "index_metadata.pickle")
QUARANTINE = ".damaged"  # a torn segment folder is renamed {segment id}{QUARANTINE} so that Chroma never loads it
NOTE = "DAMAGED.txt"  # inside a quarantined folder: what was wrong and when
STAMPS = "assistant-segments.json"  # (size, mtime, inode) of segment files last found sound: unchanged ones skip a re-check
ROWS_PER_BLOCK = 65_536  # elements of data_level0.bin read at a time (~110 MB at 384 dimensions)
MAX_LEVEL = 64  # hnswlib levels grow as log_M(n): far below this for any index that fits on a disk


@dataclass(frozen=True)
class Segment:
    id: str
    collection: str
    dimension: int | None


@dataclass(frozen=True)
class Damage:
    """A collection whose vector files are unsafe to load (`quarantined`: already moved aside, not yet rebuilt)."""

    collection: str
    segment: str
    problem: str
    quarantined: bool = False


class RecordsUnreadable(Exception):
    """chroma.sqlite3 (the article records, and the map of segments) cannot be read."""


def vector_segments(index_dir: Path) -> list[Segment]:
    """The vector segments chroma.sqlite3 lists, read without Chroma."""
    db = index_dir / "chroma.sqlite3"
    if not db.is_file():
        return []
    try:
        # not read-only: after a kill mid-transaction SQLite must roll back its hot journal before anyone reads
        con = sqlite3.connect(db, timeout=30)
        try:
            rows = con.execute(
                "SELECT s.id, c.name, c.dimension FROM segments s JOIN collections c ON s.collection = c.id "
                "WHERE s.scope = 'VECTOR'").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise RecordsUnreadable(f"{db}: {exc}") from exc
    return [Segment(sid, name, dim) for sid, name, dim in rows]


def local_count(config, collection: str) -> int | None:
    """record_count for a local index; None for a Chroma server's (its own count() is the only way)."""
    return None if config.chroma_host else record_count(config.index_dir, collection)


def record_count(index_dir: Path, collection: str) -> int | None:
    """How many records a collection holds, read from chroma.sqlite3 without Chroma (whose count() loads the
    collection's vector index whole: +473 MB and 0.5 s for 231,460 sentence vectors); None if it cannot be read."""
    try:
        con = sqlite3.connect(f"file:{index_dir / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute("SELECT COUNT(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id JOIN collections c "
                              "ON s.collection = c.id WHERE c.name = ? AND s.scope = 'METADATA'", (collection,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return int(row[0])


def inspect(index_dir: Path, use_stamps: bool = True) -> list[Damage]:
    """Every collection whose vector files are torn or were moved aside and not yet rebuilt. Files unchanged since
    they were last found sound (same size, mtime and inode) are not read again."""
    stamps = _load_stamps(index_dir) if use_stamps else {}
    sound: dict[str, list] = {}
    out = []
    for seg in vector_segments(index_dir):
        moved = index_dir / f"{seg.id}{QUARANTINE}"
        if moved.is_dir():
            note = moved / NOTE
            problem = (note.read_text(encoding="utf-8").splitlines() or [""])[0] if note.is_file() else ""
            problem = problem or "vector files moved aside"
            out.append(Damage(seg.collection, seg.id, problem, quarantined=True))
            continue
        folder = index_dir / seg.id
        if not folder.is_dir():
            continue  # nothing persisted yet: Chroma starts an empty index
        before = _stamp(folder)
        if use_stamps and before is not None and stamps.get(seg.id) == before:
            sound[seg.id] = before
            continue
        problem = check_segment(folder, seg.dimension)
        if problem:
            out.append(Damage(seg.collection, seg.id, problem))
        elif before is not None and _stamp(folder) == before:  # not rewritten while we read it
            sound[seg.id] = before
    if use_stamps and sound != stamps:
        _save_stamps(index_dir, sound)
    return out


def quarantine(index_dir: Path, damage: Damage) -> Damage:
    """Move a torn segment's folder aside (call holding the index's write lock). Chroma then starts that collection
    from an empty index plus its unsaved log, never reading the torn files."""
    folder, moved = index_dir / damage.segment, index_dir / f"{damage.segment}{QUARANTINE}"
    if not moved.exists():
        folder.rename(moved)
        (moved / NOTE).write_text(f"{damage.problem}\nmoved aside {time.strftime('%Y-%m-%d %H:%M:%S')}\n",
                                  encoding="utf-8")
    return Damage(damage.collection, damage.segment, damage.problem, quarantined=True)


def discard(index_dir: Path, segment_id: str) -> None:
    """Delete a quarantined folder and any folder Chroma left for the segment (its collection was rebuilt)."""
    import shutil

    for folder in (index_dir / f"{segment_id}{QUARANTINE}", index_dir / segment_id):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def check_segment(folder: Path, dimension: int | None = None) -> str | None:
    """What makes this persisted HNSW index unsafe to load or search (a problem naming the file), or None. Checks
    every field hnswlib trusts when it loads and walks the graph: header fields, file sizes, neighbour counts and
    ids, levels, the entry point, vector values, and Chroma's id map against the stored labels."""
    try:
        return _check(folder, dimension)
    except OSError as exc:
        return f"cannot read its files ({exc})"


def _check(folder: Path, dimension: int | None) -> str | None:
    raw = _read(folder / "header.bin")
    if raw is None:
        return "header.bin is missing"
    if len(raw) != HEADER.size:
        return f"header.bin holds {len(raw)} bytes, a header has {HEADER.size}"
    (version, off0, max_el, cur, size, label_off, data_off, maxlevel, ep, max_m, max_m0, m, mult,
     ef_c) = HEADER.unpack(raw)
    dim = (size - data_off - 8) // 4 if size > data_off + 8 else 0
    sane = (version == 1 and off0 == 0 and 2 <= m <= 4096 and max_m == m and max_m0 == 2 * m
            and data_off == max_m0 * 4 + 4 and dim >= 1 and label_off == data_off + dim * 4 and size == label_off + 8
            and cur <= max_el < 2**32 - 1 and math.isfinite(mult) and 0 < mult < 2 and 1 <= ef_c < 2**31)
    if not sane:
        return "header.bin: its fields disagree with each other (torn or overwritten)"
    if dimension and dim != dimension:
        return f"header.bin: {dim} dimensions, the collection has {dimension}"
    if cur == 0:
        return None
    if not 0 <= maxlevel <= MAX_LEVEL or ep >= cur:
        return f"header.bin: entry point {ep} or top level {maxlevel} outside the {cur} elements it counts"
    problem, labels = _check_level0(folder / "data_level0.bin", cur, size, data_off, label_off, max_m0, dim)
    if problem:
        return problem
    lengths = folder / "length.bin"
    if not lengths.is_file() or lengths.stat().st_size < cur * 4:
        return f"length.bin is shorter than the {cur} elements in header.bin"
    norms = np.fromfile(lengths, dtype="<f4", count=cur)
    if not np.all(np.isfinite(norms)) or np.any(norms < 0):
        return "length.bin holds values that are not vector lengths"
    problem = _check_links(folder / "link_lists.bin", cur, maxlevel, ep, max_m)
    if problem:
        return problem
    return _check_id_map(folder / "index_metadata.pickle", labels)


def _check_level0(path: Path, cur: int, size: int, data_off: int, label_off: int, max_m0: int,
                  dim: int) -> tuple[str | None, np.ndarray]:
    if not path.is_file() or path.stat().st_size < cur * size:
        have = path.stat().st_size if path.is_file() else 0
        return f"data_level0.bin holds {have // size} whole elements, header.bin counts {cur}", np.empty(0)
    data = np.memmap(path, dtype=np.uint8, mode="r", shape=(cur, size))
    live_labels = []
    slots = np.arange(max_m0)
    for start in range(0, cur, ROWS_PER_BLOCK):
        rows = np.ascontiguousarray(data[start : start + ROWS_PER_BLOCK])
        counts = rows[:, 0:2].view("<u2").ravel()
        flags = rows[:, 2]
        if np.any(counts > max_m0) or np.any(flags & 0xFE) or np.any(rows[:, 3]):
            return "data_level0.bin: neighbour counts or delete marks out of range", np.empty(0)
        links = rows[:, 4 : 4 + max_m0 * 4].view("<u4")
        if np.any(links[slots < counts[:, None]] >= cur):
            return "data_level0.bin: a neighbour id points past the last element", np.empty(0)
        live = (flags & 1) == 0
        vectors = rows[live, data_off:label_off].view("<f4")
        if not np.all(np.isfinite(vectors)):
            return "data_level0.bin: vectors hold values that are not numbers", np.empty(0)
        live_labels.append(rows[live, label_off : label_off + 8].view("<u8").ravel())
    del data
    return None, np.concatenate(live_labels) if live_labels else np.empty(0, dtype=np.uint64)


def _check_links(path: Path, cur: int, maxlevel: int, ep: int, max_m: int) -> str | None:
    """Upper-level neighbour lists: sizes whole, counts within maxM, ids inside the index, and every neighbour at
    level l itself present at level l (hnswlib reads its level-l list without checking)."""
    buf = _read(path)
    if buf is None:
        return "link_lists.bin is missing"
    per = max_m * 4 + 4
    levels = np.zeros(cur, dtype=np.int16)
    starts: list[int] = []
    owners: list[int] = []
    pos, n = 0, len(buf)
    unpack = struct.Struct("<I").unpack_from
    for i in range(cur):
        if pos + 4 > n:
            return f"link_lists.bin ends at element {i} of {cur}"
        (size,) = unpack(buf, pos)
        pos += 4
        if size:
            if size % per or size // per > maxlevel or pos + size > n:
                return f"link_lists.bin: element {i} has a broken level list"
            levels[i] = size // per
            for level in range(size // per):
                starts.append(pos + level * per)
                owners.append(i)
            pos += size
    if levels[ep] != maxlevel:
        return f"link_lists.bin: the entry point is on level {levels[ep]}, header.bin says {maxlevel}"
    if not starts:
        return None
    arr = np.frombuffer(buf, dtype=np.uint8)
    lists = arr[np.asarray(starts)[:, None] + np.arange(per)]
    counts = lists[:, 0:2].copy().view("<u2").ravel()
    if np.any(counts > max_m) or np.any(lists[:, 2:4]):
        return "link_lists.bin: neighbour counts out of range"
    ids = lists[:, 4:].copy().view("<u4")
    used = np.arange(max_m) < counts[:, None]
    if np.any(ids[used] >= cur):
        return "link_lists.bin: a neighbour id points past the last element"
    owner = np.asarray(owners)
    first = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]  # each owner's lists are consecutive, level 1 first
    level_of = np.arange(len(owner)) - np.repeat(first, np.diff(np.r_[first, len(owner)])) + 1
    need = np.broadcast_to(level_of[:, None], ids.shape)
    if np.any(levels[np.where(used, ids, 0)][used] < need[used]):
        return "link_lists.bin: a neighbour is linked on a level it is not on"
    return None


class _PlainData(pickle.Unpickler):
    """Chroma's id map holds only dicts, strings and numbers: anything else means damage, and is never run."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"unexpected object {module}.{name}")


def _check_id_map(path: Path, live_labels: np.ndarray) -> str | None:
    if not path.is_file():
        return "index_metadata.pickle (Chroma's id map) is missing"
    try:
        with path.open("rb") as fh:
            meta = _PlainData(fh).load()
        label_to_id, id_to_label = meta["label_to_id"], meta["id_to_label"]
        total = int(meta["total_elements_added"])
    except Exception as exc:  # noqa: BLE001 - any failure to read it is damage
        return f"index_metadata.pickle cannot be read ({type(exc).__name__})"
    if len(label_to_id) != len(id_to_label) or len(label_to_id) != len(live_labels):
        return (f"index_metadata.pickle maps {len(label_to_id)} ids, data_level0.bin holds {len(live_labels)} live "
                "elements")
    mapped = np.fromiter(label_to_id.keys(), dtype=np.uint64, count=len(label_to_id))
    if not np.array_equal(np.sort(mapped), np.sort(live_labels)) or (len(mapped) and int(mapped.max()) > total):
        return "index_metadata.pickle does not name the labels stored in data_level0.bin"
    return None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _stamp(folder: Path) -> list | None:
    try:
        out = []
        for name in FILES:
            p = folder / name
            if p.exists():
                st = p.stat()
                out.append([name, st.st_size, st.st_mtime_ns, st.st_ino])
        return out
    except OSError:
        return None


def _load_stamps(index_dir: Path) -> dict:
    try:
        data = json.loads((index_dir / STAMPS).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_stamps(index_dir: Path, stamps: dict) -> None:
    tmp = index_dir / f"{STAMPS}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(stamps), encoding="utf-8")
        tmp.replace(index_dir / STAMPS)
    except OSError:  # a read-only index: it is simply checked in full next time too
        tmp.unlink(missing_ok=True)
