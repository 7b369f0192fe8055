"""Database functions the ORM lacks, for SQLite and PostgreSQL alike."""

from django.db.models import FloatField, Func


class MillisecondsBetween(Func):
    """`later - earlier` in milliseconds, computed by the database itself.

    Django subtracts datetimes on SQLite with a Python function called once per row, which
    costs more than the query at a few thousand rows; `julianday` is SQLite's own (it keeps
    milliseconds, so a comparison can differ from Python's within one millisecond)."""

    arity = 2
    output_field = FloatField()
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) * 1000)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400000)",
            arg_joiner=") - julianday(",
            **extra_context,
        )
