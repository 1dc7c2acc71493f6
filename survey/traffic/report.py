"""The plain aggregates of the stored requests (DuckDB over the Parquet parts).

Definitions (issue 16, contract details):

- a **request** is any stored line, people's and bots';
- a **page view** is a GET answered 2xx or 304 for a page or a document (not an asset);
- a visitor key is a **bot for a day** (WIB) when its user agent is a known crawler, or it fetched
  ``/robots.txt``, or it requested more than 20 pages or documents and not one asset that day;
  its requests count in ``bot_requests`` only (the bot rule looks at all hosts of the day, so a
  crawler stays a crawler when the report is for one host);
- **visitors**: distinct human visitor keys with a request that day, summed over the days
  (``visitors_daily_sum``) or distinct in the month (``visitors_by_month``);
- a **visit** is a visitor's run of human page views with no gap over 30 minutes (a visit belongs
  to the month and host of its first page view);
- shares are of human page views, between 0 and 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from survey.traffic import storage

SESSION_GAP_SECONDS = 30 * 60
MAX_PAGES_WITHOUT_ASSET = 20
TOP_DOCUMENTS = 10
DEVICES = ("mobile", "tablet", "desktop", "other")


def _connect(root: Path, start: date | None, end: date | None, host: str | None):
    """A connection with the view `r`: the period's requests with their visitor-day's `bot` flag."""
    con = storage.connect()
    where = []
    params: list = []
    if start is not None:
        where.append("day >= ?")
        params.append(start)
    if end is not None:
        where.append("day <= ?")
        params.append(end)
    condition = " AND ".join(where) or "true"
    con.execute(f"CREATE TEMP TABLE period AS SELECT * FROM {storage.source(root)} WHERE {condition}", params)
    con.execute(f"""CREATE TEMP TABLE visitor_days AS
        SELECT visitor, day,
               bool_or(ua_bot) OR bool_or(lower(path) = '/robots.txt')
               OR (count(*) FILTER (WHERE kind IN ('page', 'document')) > {MAX_PAGES_WITHOUT_ASSET}
                   AND count(*) FILTER (WHERE kind = 'asset') = 0) AS bot
        FROM period GROUP BY visitor, day""")
    host_condition = "host = ?" if host else "true"
    con.execute(f"""CREATE TEMP TABLE r AS
        SELECT p.*, v.bot FROM period p JOIN visitor_days v USING (visitor, day) WHERE {host_condition}""",
                [host] if host else [])
    con.execute(f"""CREATE TEMP TABLE visits AS
        SELECT visitor, host, month, ts FROM (
            SELECT *, lag(ts) OVER (PARTITION BY visitor ORDER BY ts) AS before
            FROM r WHERE is_pageview AND NOT bot)
        WHERE before IS NULL OR epoch(ts) - epoch(before) > {SESSION_GAP_SECONDS}""")
    return con


def traffic_tables(root: Path, start: date | None = None, end: date | None = None,
                   host: str | None = None) -> dict[str, pd.DataFrame]:
    """by_month, by_country, by_host, by_device (share within the month), top_documents, summary."""
    con = _connect(Path(root), start, end, host)
    try:
        return _tables(con, start, end)
    finally:
        con.close()


def _tables(con, start, end) -> dict[str, pd.DataFrame]:
    q = lambda sql: con.execute(sql).df()  # noqa: E731
    by_month = q("""
        SELECT m.month, m.requests, m.pageviews, coalesce(v.visits, 0) AS visits, m.visitors, m.bot_requests
        FROM (SELECT month, count(*) AS requests,
                     count(*) FILTER (WHERE is_pageview AND NOT bot) AS pageviews,
                     count(DISTINCT visitor) FILTER (WHERE NOT bot) AS visitors,
                     count(*) FILTER (WHERE bot) AS bot_requests
              FROM r GROUP BY month) m
        LEFT JOIN (SELECT month, count(*) AS visits FROM visits GROUP BY month) v USING (month)
        ORDER BY m.month""")
    shares = {}
    for name in ("country", "host"):
        shares[name] = q(f"""
            SELECT {name}, count(*) AS pageviews, count(*) / sum(count(*)) OVER () AS share
            FROM r WHERE is_pageview AND NOT bot GROUP BY {name} ORDER BY pageviews DESC, {name}""")
    by_device = q("""
        SELECT month, device, count(*) AS pageviews,
               count(*) / sum(count(*)) OVER (PARTITION BY month) AS share
        FROM r WHERE is_pageview AND NOT bot GROUP BY month, device ORDER BY month, pageviews DESC, device""")
    documents = q("""
        SELECT host, path, count(*) AS requests FROM r
        WHERE kind = 'document' AND is_pageview AND NOT bot
        GROUP BY host, path ORDER BY requests DESC, host, path LIMIT 100""")
    summary = q("""
        SELECT (SELECT count(*) FROM r) AS requests,
               (SELECT count(*) FROM r WHERE is_pageview AND NOT bot) AS pageviews,
               (SELECT count(*) FROM visits) AS visits,
               (SELECT coalesce(sum(n), 0) FROM (SELECT count(DISTINCT visitor) AS n FROM r
                                                WHERE NOT bot GROUP BY day)) AS visitors_daily_sum,
               (SELECT count(*) FROM r WHERE bot) AS bot_requests,
               (SELECT min(day) FROM r) AS first_day, (SELECT max(day) FROM r) AS last_day""")
    for column in ("requests", "pageviews", "visits", "visitors_daily_sum", "bot_requests"):
        summary[column] = summary[column].astype("int64")
    for column in ("first_day", "last_day"):   # datetime.date (None when empty), as the period's bounds
        summary[column] = pd.Series([_day(v) for v in summary[column]], dtype=object)
    for frame in (by_month, *shares.values(), by_device, documents):
        for column in frame.columns:
            if column in ("requests", "pageviews", "visits", "visitors", "bot_requests"):
                frame[column] = frame[column].astype("int64")
    return {"by_month": by_month, "by_country": shares["country"], "by_host": shares["host"],
            "by_device": by_device, "top_documents": documents, "summary": summary}


def traffic_report(root: Path, start: date | None = None, end: date | None = None,
                   host: str | None = None) -> dict:
    """The issue's `report --format json` object."""
    con = _connect(Path(root), start, end, host)
    try:
        tables = _tables(con, start, end)
        devices = con.execute("""
            SELECT device, count(*) / sum(count(*)) OVER () FROM r
            WHERE is_pageview AND NOT bot GROUP BY device""").fetchall()
        bounds = con.execute("SELECT min(day), max(day) FROM period").fetchone()
    finally:
        con.close()
    s = tables["summary"].iloc[0]
    from survey.traffic.exports import analytics_totals  # GA4's aggregated rows, never mixed in
    analytics = analytics_totals(Path(root))
    first = start or bounds[0]
    last = end or bounds[1]
    return {
        "period": [_iso(first), _iso(last)],
        "requests": int(s["requests"]),
        "pageviews": int(s["pageviews"]),
        "visits": int(s["visits"]),
        "visitors_daily_sum": int(s["visitors_daily_sum"]),
        "visitors_by_month": {m: int(n) for m, n in zip(tables["by_month"]["month"], tables["by_month"]["visitors"])},
        "bot_requests": int(s["bot_requests"]),
        "by_country": _shares(tables["by_country"], "country"),
        "by_host": _shares(tables["by_host"], "host"),
        "by_device": {d: float(dict(devices).get(d, 0.0)) for d in DEVICES},
        "top_documents": [{"path": p, "host": h, "requests": int(n)} for h, p, n in
                          tables["top_documents"].head(TOP_DOCUMENTS).itertuples(index=False)],
        **({"analytics": analytics} if analytics else {}),
    }


def _shares(frame: pd.DataFrame, key: str) -> dict[str, float]:
    return {str(k): float(v) for k, v in zip(frame[key], frame["share"])}


def _day(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _iso(value) -> str | None:
    day = _day(value)
    return None if day is None else day.isoformat()
