"""``python -m derivations``: the same as the ``jacobians`` command."""

import sys

from derivations.cli import main

sys.exit(main())
