"""Telemetry: spans as producers send them (OTLP), their sessions as runs, and reads."""
