"""Pages of Downloads (filled in by the feature's views)."""
