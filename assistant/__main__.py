"""`python -m assistant`: the same CLI as the `assistant` console script."""

from assistant.cli import main

raise SystemExit(main())
