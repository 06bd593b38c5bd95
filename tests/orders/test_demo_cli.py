"""`assistant demo orders`: the demo order database the README's numbers come from."""

from __future__ import annotations

import sqlite3

from assistant.settings import Settings
from connectors.cli import main
from connectors.cli.demo import demo_orders_url, use_demo_orders


def test_demo_orders_makes_the_database_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    assert main(["demo", "orders"]) == 0
    out = capsys.readouterr().out
    assert "60 demo orders" in out and "ORD-4827193 (delayed)" in out and "ORD-5531208 (ready_for_collection)" in out
    path = tmp_path / "demo-orders.db"
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM orders").fetchone() == (60,)
        connection.execute("DELETE FROM orders WHERE order_number = 'ORD-4827193'")
    assert main(["demo", "orders", "--if-missing"]) == 0
    assert "already there" in capsys.readouterr().out
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM orders").fetchone() == (59,), "left as it was"
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert use_demo_orders(settings) == demo_orders_url(settings) == f"sqlite:///{path.resolve()}"
    real = Settings(_env_file=None, data_dir=tmp_path, orders_url="https://orders.example")
    assert use_demo_orders(real) is None and real.orders_url == "https://orders.example", "a real system wins"
    assert settings.orders_tracking_urls["DPD"] == "https://tracking.example.com/dpd/{tracking}"
    assert settings.orders_tracking_urls["Poste Italiane"] == "https://tracking.example.com/poste-italiane/{tracking}"
    assert real.orders_tracking_urls == {}, "no demo links on a real order system"
    own = Settings(_env_file=None, data_dir=tmp_path, orders_tracking_urls="DPD=https://dpd.example/{tracking}")
    use_demo_orders(own)
    assert own.orders_tracking_urls == {"DPD": "https://dpd.example/{tracking}"}, "configured links win"


def test_a_custom_count_and_path(tmp_path):
    path = tmp_path / "elsewhere" / "orders.db"
    assert main(["demo", "orders", "--path", str(path), "--count", "200"]) == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM orders").fetchone() == (200,)
        statuses = {row[0] for row in connection.execute("SELECT DISTINCT status FROM orders")}
    assert len(statuses) == 11
