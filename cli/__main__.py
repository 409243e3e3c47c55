"""``python -m cli`` is ``python -m geo``."""

import sys

from cli.commands import main

sys.exit(main())
