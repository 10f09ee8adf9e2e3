"""`assistant eval`: gold questions through ask(), their metrics, an editor's verdicts and the written report."""
