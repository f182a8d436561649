"""Persistence: SQLAlchemy 2 async models, queries and Alembic migrations.

SQL stays dialect-neutral: the same code runs on SQLite (aiosqlite) and PostgreSQL (asyncpg).
"""
