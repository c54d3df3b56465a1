"""Training side of Edutech Analyst: reads the app's exported feature matrix, trains the
shipped models, writes ONNX graphs, manifests, parity vectors and training logs."""
