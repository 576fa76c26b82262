"""Benchmarks of the search index against rank-bm25, bm25s and tantivy (not shipped)."""
