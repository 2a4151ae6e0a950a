"""What only large inputs need, used by the one pipeline (never a second one).

``executor`` (worker processes, forkserver or spawn), ``streaming`` (the build on every
core), ``store`` and ``incremental`` (an on-disk Oxigraph store and what a rebuild can
reuse), ``validation`` (page graphs validated in parallel, cross-page shapes once).
Imports validation/, graph/, resolve/, read/, common/ and errors.
"""
