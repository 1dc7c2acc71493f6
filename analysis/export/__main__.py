import sys

from analysis.export.export_cli import main

sys.exit(main())
