"""One client per outside system."""
