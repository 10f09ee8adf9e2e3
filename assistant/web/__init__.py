"""The web face: `assistant serve` (FastAPI app, JSON API, widget), its guards and limits, and the chat's HTML."""
