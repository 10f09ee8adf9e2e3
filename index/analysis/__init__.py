"""The language analysis at ingest: spaCy's parse of each article, entities, phrases and quote attribution."""
