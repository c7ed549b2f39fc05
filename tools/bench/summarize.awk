# SPDX-License-Identifier: GPL-2.0-only
#
# Medians over the rounds of tools/bench/bench.sh's raw results.
#
#   awk -f summarize.awk results.tsv
#
# Input: a header line, then one line per wrk run with the columns
#   round config test requests duration_us connect read write status
#   timeout p50_us p99_us bpf_ns bpf_cnt cpu_ns drops foreign_pct
# ("-" where a figure does not apply). Output: one line per (config, test)
# in order of first appearance, tab-separated:
#   config test rounds rps p50_us p99_us sock_errors non2xx cpu_us_per_req
#   bpf_ns_per_run drops rps_per_round foreign_pct foreign_per_round
# where rps, p50, p99, CPU per request and BPF ns per run are medians over
# the rounds, errors and drops are sums over the rounds, and rps_per_round
# lists every round's figure (comma-separated) to show the spread;
# foreign_pct is the median share of the machine other processes took
# during the runs (foreign_per_round: each run's).

BEGIN {
	FS = "\t"
	OFS = "\t"
}

function median(list, v, n, i, j, t)
{
	n = split(list, v, ",")
	if (n == 0)
		return "-"
	for (i = 2; i <= n; i++) {
		t = v[i] + 0
		for (j = i - 1; j >= 1 && v[j] + 0 > t; j--)
			v[j + 1] = v[j]
		v[j + 1] = t
	}
	if (n % 2)
		return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}

function add(arr, key, val)
{
	# Test first: in mawk the assignment's target exists before its value.
	if (key in arr)
		arr[key] = arr[key] "," val
	else
		arr[key] = val
}

NR == 1 {
	next
}

{
	key = $2 SUBSEP $3
	if (!(key in seen)) {
		seen[key] = 1
		order[++n] = key
	}
	rounds[key]++
	rps = $5 > 0 ? $4 / ($5 / 1e6) : 0
	add(RPS, key, sprintf("%.0f", rps))
	add(P50, key, $11)
	add(P99, key, $12)
	sock[key] += $6 + $7 + $8 + $10
	non2xx[key] += $9
	cpu = 0
	have_cpu = 0
	if ($13 != "-") {
		cpu += $13
		have_cpu = 1
	}
	if ($15 != "-") {
		cpu += $15
		have_cpu = 1
	}
	if (have_cpu && $4 > 0)
		add(CPU, key, sprintf("%.2f", cpu / 1000 / $4))
	if ($13 != "-" && $14 > 0)
		add(BPF, key, sprintf("%.1f", $13 / $14))
	add(FOREIGN, key, $17 == "" ? 0 : $17)
	if ($16 != "-") {
		drops[key] += $16
		have_drops[key] = 1
	}
}

END {
	for (i = 1; i <= n; i++) {
		key = order[i]
		split(key, kt, SUBSEP)
		print kt[1], kt[2], rounds[key], median(RPS[key]), median(P50[key]),
			median(P99[key]), sock[key] + 0, non2xx[key] + 0,
			(key in CPU) ? median(CPU[key]) : "-",
			(key in BPF) ? median(BPF[key]) : "-",
			(key in have_drops) ? drops[key] : "-", RPS[key], median(FOREIGN[key]),
			FOREIGN[key]
	}
}
