"""The trained extractive reader: windows around candidate sentences, the ONNX model, and its readings."""
