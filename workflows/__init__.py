"""Framework-free workflow definitions: roles, state enums, transition tables, one engine.

Nothing here imports Flask or SQLAlchemy; the web layer persists what the engine decides.
"""
