"""Answer kinds: one file each (what it answers, how it reads the question, which sentences fit, how it answers)."""
