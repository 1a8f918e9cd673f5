"""The command line: same core, no Qt."""
