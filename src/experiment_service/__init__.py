"""experiment-service: records, runs and scores experiments on LLM agents and prompts.

Layers, each importing only downward (the README's Layout section has the whole map):
    api/        generated protobuf and gRPC code (from proto/, never edited by hand)
    servicers/  gRPC servicers (proto <-> domain) and the interceptors (auth, error mapping)
    rest/       the REST edge: dialect bodies and codes, the Envoy gateway, the OpenAPI document
    runner/     background execution of built-in workflows, beside servicers/
    domain/     rules, validation, rollups, comparisons (no SQL)
    storage/    SQLAlchemy tables, the queries, migrations
"""
