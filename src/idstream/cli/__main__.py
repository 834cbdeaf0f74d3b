import sys

from idstream.cli import main

sys.exit(main())
