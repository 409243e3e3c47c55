"""``python -m geo …`` starts the command line, which lives outside the data core (:mod:`cli.commands`)."""

import sys

if __name__ == "__main__":
    from cli.commands import main

    sys.exit(main())
