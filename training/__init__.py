"""Training the extractive reader (scripts that remake assistant/qa/reader.onnx); not imported by the product."""
