"""Benchmarks, run as ``python bench/NAME.py``; a package so that tests can import bench_chat."""
