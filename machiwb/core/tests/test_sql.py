from machiwb.core.sql import statement_style


def test_postgresql_placeholders_are_numbered_and_literal_percent_signs_kept() -> None:
    sql = "SELECT a FROM t WHERE b = %s AND c LIKE '10%%' AND d IN (%s, %s)"
    assert statement_style(sql, "postgresql") == (
        "SELECT a FROM t WHERE b = $1 AND c LIKE '10%' AND d IN ($2, $3)"
    )


def test_other_databases_keep_djangos_placeholders() -> None:
    sql = "INSERT INTO t (a, b) VALUES (%s, %s)"
    assert statement_style(sql, "sqlite") == sql
