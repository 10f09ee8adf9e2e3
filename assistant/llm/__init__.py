"""The optional LLM path: an OpenAI-compatible client, answers phrased or read by the model, each claim verified."""
