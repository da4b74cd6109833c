# The source `make bench` imports its CSV of leads under; seed_bench removes those imports.
BENCH_IMPORT_SOURCE = "bench"
