"""After layout: filling, flattening and merging forms, and the guard for outside PDFs."""
