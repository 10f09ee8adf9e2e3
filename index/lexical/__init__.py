"""The persistent lexical index (Tantivy BM25 over chunks) and keeping it in step with the store's records."""
