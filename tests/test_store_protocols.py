"""ChromaStore offers exactly what StoreReader (the read side) and StoreWriter (the Ingestor) promise."""

from __future__ import annotations

import inspect

import pytest

from common.config import Config
from index.store import ChromaStore, StoreReader, StoreWriter


def members(protocol: type) -> list[str]:
    return sorted(n for n in vars(protocol) if not n.startswith("_"))


def parameters(fn) -> list[tuple[str, object, object]]:
    """What a caller depends on: names, kinds and defaults (annotations are documentation)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("protocol", [StoreReader, StoreWriter])
def test_chroma_store_has_every_protocol_member_with_its_parameters(protocol, tmp_path):
    """A renamed parameter, a dropped default or a method turned attribute breaks callers typed by the protocol;
    every member says in one line what it gives."""
    store = ChromaStore(Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash"))
    assert members(protocol)
    for name in members(protocol):
        promised = vars(protocol)[name]
        doc = (promised.fget if isinstance(promised, property) else promised).__doc__ or ""
        assert doc.strip() and "\n" not in doc.strip(), f"{name}: one-line docstring"
        assert hasattr(store, name), f"ChromaStore lacks {name}"
        offered = getattr(store, name)
        if isinstance(promised, property):  # an attribute or property (version, torn, opened_fixes)
            assert not inspect.ismethod(offered), name
            continue
        assert inspect.ismethod(offered), name
        assert parameters(offered) == parameters(promised)[1:], name  # [1:]: the protocol's own `self`
    assert isinstance(store, protocol)


def test_chroma_store_is_a_store(tmp_path):
    """Store (what the Ingestor and the composition roots hold) is both protocols at once."""
    from index.store import Store

    store = ChromaStore(Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash"))
    assert isinstance(store, Store) and {StoreReader, StoreWriter} <= set(Store.__mro__)
