"""Domain services: the rules of experiments, groups and runs, independent of the wire format."""
