"""The runner: executes built-in workflows and LLM evaluators in the background.

It sits beside the API layer on the same domain services: traces waiting to run are the work
queue (in the database), claimed with leases, so work survives restarts and is shared safely by
several replicas.
"""
