"""``python -m benchmarks [options]`` runs the harness; ``python -m benchmarks generate``
writes synthetic pages."""

from __future__ import annotations

import sys

if len(sys.argv) > 1 and sys.argv[1] == "generate":
    from benchmarks.generate import main

    sys.exit(main(sys.argv[2:]))

from benchmarks.harness import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
