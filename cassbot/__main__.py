"""`python -m cassbot` is the `cassbot` command."""

import sys

from cassbot.cli.main import main

sys.exit(main())
