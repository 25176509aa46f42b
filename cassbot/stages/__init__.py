"""The core pipeline stages: context → membership → commands → screen → decide."""
