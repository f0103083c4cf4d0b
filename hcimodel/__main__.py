"""``python -m hcimodel``: the ``hcimodel`` command."""

import sys

from .cli import main

sys.exit(main())
