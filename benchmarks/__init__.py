"""The scale harness of citynet and its synthetic profile-page generator.

``python -m benchmarks`` runs the harness (see benchmarks/harness.py);
``benchmarks.generate.generate(n_pages, seed, out_dir)`` writes synthetic pages.
"""
