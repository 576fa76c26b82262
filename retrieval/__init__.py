"""Pure text retrieval: analysis, passages, the BM25 index, search and excerpts."""
