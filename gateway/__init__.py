"""The REST gateway's Envoy files (template, Lua filter, OpenAPI document), shipped inside the
package as `experiment_service.rest.gateway_files` (see setup.py); nothing to import."""
