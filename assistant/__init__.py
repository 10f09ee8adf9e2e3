"""Newsroom retrieval assistant: answers questions about news articles, citing exact sentences."""

__version__ = "0.1.0"
