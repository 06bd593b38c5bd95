"""`python -m connectors.cli` runs the `assistant` command."""

import sys

from connectors.cli import main

sys.exit(main())
