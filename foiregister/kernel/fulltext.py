"""Full-text candidates on PostgreSQL, shared by the intake's word lookup and the public
request form's suggestions: of the newest rows matching a query, those its words rank best."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet


def best_ranked_among_newest(
    matches: QuerySet,
    *,
    id_field: str,
    date_field: str,
    tsquery_sql: str,
    query: str,
    ranked_of: int,
    limit: int,
) -> list[int]:
    """The ids of the ``limit`` rows of ``matches`` (rows with a ``vector`` the GIN index
    matched) that ``ts_rank`` puts first against ``tsquery_sql`` (its one parameter is
    ``query``), ranking only the ``ranked_of`` newest by ``date_field``: the index answers
    the match and the ranking stays bounded however common the words. Newest first among
    equals."""
    newest = (
        matches.order_by(f"-{date_field}", f"-{id_field}")
        .values(id_field, date_field, "vector")[:ranked_of]
        .query
    )
    sql, params = newest.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.{id_field} FROM ({sql}) c ORDER BY ts_rank(c.vector, {tsquery_sql}) "
            f"DESC, c.{date_field} DESC, c.{id_field} DESC LIMIT %s",
            [*params, query, limit],
        )
        return [row[0] for row in cursor.fetchall()]
