"""gRPC servicers: thin adapters between the generated API and the domain services."""
