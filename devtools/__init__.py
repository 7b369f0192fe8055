"""Dev-only: the demo loader and its builders, the bench_* commands and the bench server."""
