"""Persistence: SQLAlchemy 2 (async) on SQLite by default or PostgreSQL, Alembic migrations.

- ``models``     the schema; ``migrations/`` its Alembic history (``nominee-bot db upgrade``)
- ``db``         engines (SQLite: WAL, busy timeout, BEGIN IMMEDIATE for writes), transactions,
                 the schema check the bot runs at start-up
- ``service``    :class:`~storage.service.Store`, the use cases behind ``core.ports.NomineeService``:
                 one transaction each, places claimed atomically, uniqueness by constraint, audit log
- ``campaigns``  what a reloaded definition changes and whether stored nominees allow it
- ``fsm``        aiogram FSM storage in the database (or Redis when configured)
- ``cli``        ``nominee-bot db upgrade|check`` and ``nominee-bot campaign load``

Only ``fsm`` imports aiogram.
"""
