"""Hypothesis settings and hostile-value strategies shared by the fuzz tests (test_fuzz_*.py)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# CI runs each property with its small example count; ASSISTANT_FUZZ_SCALE=50 (by hand) runs 50 times more.
SCALE = max(1, int(os.environ.get("ASSISTANT_FUZZ_SCALE", "1") or "1"))


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )


# Ids and names that try to be paths, keys of other records, or not text at all.
PATH_LIKE = [
    "../../x", "../../../../../../etc/passwd", "/etc/passwd", "..", ".", "./", "a/../../b", "C:\\Windows\\x",
    "\\\\server\\share", "%2e%2e%2fx", "..%2f..%2fx", "~/x", "x/", "/", "//", "a//b", "x::s0", "news-articles",
    "con", "NUL", "a\x00b", "a\nb", "a\rb", "\t", " ", "", "\u202ex.txt", "\ufeffid", "\u200b", "é" * 201,
    "x" * 200, "x" * 201, "../" * 80, "?q=1#frag", "a b", "id;rm -rf /", "${HOME}", "<script>", "\ud800",
]  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.sampled_from(PATH_LIKE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Zs"]), max_size=20),
)
# Any JSON value, nested a little.
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
