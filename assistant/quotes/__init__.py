"""Who said what: the quote archive, a sentence's own speaker, and the statements a quote answer lists."""
