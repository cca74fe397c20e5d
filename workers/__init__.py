"""RQ jobs: they take plain ids, load what they need, and are safe to run twice."""
