"""Packaging beyond what pyproject.toml can say: the Envoy files in the top-level `gateway/`
folder ship inside the package as `experiment_service.rest.gateway_files`, so that an installed
service (a wheel, not only this checkout) can start its REST gateway. Metadata, dependencies and
the rest of the configuration are in pyproject.toml."""

from setuptools import find_namespace_packages, setup

GATEWAY_PACKAGE = "experiment_service.rest.gateway_files"

setup(
    packages=[
        *find_namespace_packages("src", include=["experiment_service*"], exclude=["*.__pycache__"]),
        GATEWAY_PACKAGE,
    ],
    package_dir={"": "src", GATEWAY_PACKAGE: "gateway"},
    package_data={
        "": ["*.pyi", "py.typed", "*.ini", "*.mako", "*.pb"],
        GATEWAY_PACKAGE: ["*.tmpl", "*.lua", "*.json", "*.html"],
    },
)
