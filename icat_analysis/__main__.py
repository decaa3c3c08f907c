import sys

from icat_analysis.cli import main

sys.exit(main())
