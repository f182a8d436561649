"""experiment-service: records, runs and scores experiments on LLM agents and prompts.

Layers, each importing only downward:
    api/        generated protobuf and gRPC code (from proto/, never edited by hand)
    servicers/  gRPC servicers: proto <-> domain translation and error mapping
    domain/     rules, validation and rollups
    storage/    SQLAlchemy models, queries and migrations
"""
