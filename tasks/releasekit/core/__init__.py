"""The logic behind releasekit's tasks. Nothing in this package imports invoke."""
