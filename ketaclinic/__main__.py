import sys

from ketaclinic.cli import main

sys.exit(main())
