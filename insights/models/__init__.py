"""The insights app's models, one module per wing."""
