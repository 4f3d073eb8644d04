"""Every end-to-end benchmark runs on tiny sizes, so bench/ does not rot between real runs.

These check that the benchmarks work and report sane results, not how fast anything is (the
figures live in docs/benchmarks.md, measured by `make bench`).
"""

from __future__ import annotations

# locust is only ever run as its own process: importing it here would let gevent patch the
# test process's sockets and ssl.


def test_e2e_processes_every_message_through_real_workers():
    from bench import e2e

    result = e2e.main(["--messages", "1500", "--agents", "10", "--tickets", "40",
                       "--workers", "1"])
    run = result["runs"][0]
    assert run["messages"] == 1500 and run["failed_jobs"] == 0 and run["per_s"] > 0
    assert result["breakdown"]["redis_trips"] < 0.1, "a page costs a few round trips"


def test_scale_measures_memory_per_agent_and_per_message_id():
    from bench import scale

    results = scale.main(["--agents", "10,30", "--events", "1000", "--spread", "5"])
    assert [r["agents"] for r in results] == [10, 30]
    for result in results:
        assert 200 < result["per_agent"]["state"] < 4096
        assert result["per_message"] > 0 and result["client_us"] > 0
        assert result["clustered"]["agents_per_page"] <= 5 < result["agents_per_page"]


def test_api_latency_under_gunicorn_with_locust():
    from bench import api

    result = api.main(["--seconds", "4", "--rate", "20", "--agents", "20",
                       "--messages", "500"])
    stats = result["stats"]
    assert stats["GET /healthz (trivial)"]["count"] > 0 and stats["GET strain"]["count"] > 0
    assert stats["Aggregated"]["failures"] == 0


def test_freshness_sees_the_cool_down_by_webhook_and_by_polling():
    from bench import freshness

    results = freshness.main(["--trials", "2", "--poll-seconds", "2"])
    for mode in ("webhook", "polling"):
        assert results[mode]["trials"] == 2 and results[mode]["missed"] == 0


def test_soak_reports_memory_and_plots_it(tmp_path):
    from bench import soak

    png = tmp_path / "soak.png"
    result = soak.main(["--minutes", "0.4", "--rate", "20", "--stream", "2",
                        "--poll-seconds", "2", "--backlog", "500", "--plot", str(png)])
    assert png.stat().st_size > 10_000
    assert result["failed_jobs"] == 0 and result["5xx"] == 0
    assert {"redis", "gunicorn", "worker0", "scheduler"} <= set(result["growth"])
