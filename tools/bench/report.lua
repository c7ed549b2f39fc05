-- SPDX-License-Identifier: GPL-2.0-only
--
-- wrk script for tools/bench/bench.sh. It changes nothing about the
-- requests (a static GET, so wrk stays on its fast path) and prints one
-- machine-readable summary line at the end:
--
--   BENCH requests=N duration_us=N connect=N read=N write=N status=N
--         timeout=N p50_us=N p99_us=N mean_us=N max_us=N
--
-- With BENCH_DELAY_MS set (> 0) every connection waits that long after
-- each response before sending its next request: C connections then offer
-- about C * 1000 / BENCH_DELAY_MS requests per second, a fixed rate below
-- saturation for measuring latency. wrk starts a request's clock when the
-- request is written, so the pause is not part of the latency.

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "") or 0

-- Defined only when pacing: wrk checks for delay() once, when it loads the
-- script, and a delay() returning 0 would still cost a timer per request.
if delay_ms > 0 then
	function delay()
		return delay_ms
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d " ..
		"timeout=%d p50_us=%d p99_us=%d mean_us=%d max_us=%d\n",
		summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
		e.timeout, latency:percentile(50), latency:percentile(99), latency.mean,
		latency.max))
end
