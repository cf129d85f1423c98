"""The mapping store: tables, engine and sessions, repositories (one module per concern) and migrations.

Repositories are plain functions taking a `Session` first; they never commit, so the caller decides what one
transaction covers (use `syncd.store.engine.session_scope`).
"""
