# SPDX-License-Identifier: GPL-2.0-only
#
# Where the time under one function goes, from `perf script` with call
# chains (perf record -g):
#
#   perf script -F comm,sym | awk -v re='REGEX' -v top=N -f perf-tree.awk
#
# A sample counts when a frame of its call chain matches REGEX (say, the
# rpilb program's symbol); it is charged to its leaf frame. JITed BPF
# functions (bpf_prog_TAG_NAME) are shown as "bpf:NAME". Prints the top
# leaves as "PERCENT<TAB>SYMBOL", then "total<TAB>N" and "all<TAB>M" (samples
# under REGEX, and all samples).

function flush()
{
	if (nframes) {
		all++
		if (hit) {
			C[leaf]++
			total++
		}
	}
	nframes = 0
	hit = 0
	leaf = ""
}

function clean(s)
{
	sub(/\+0x[0-9a-f]+$/, "", s)
	if (s ~ /^bpf_prog_[0-9a-f]+_/) {
		sub(/^bpf_prog_[0-9a-f]+_/, "", s)
		s = "bpf:" s
	}
	return s
}

/^[ \t]*$/ {
	flush()
	next
}

# A frame: leading blanks, an address, the symbol, then "(dso)".
/^[ \t]+[0-9a-f]+ / {
	sym = $2
	if (!nframes)
		leaf = clean(sym)
	nframes++
	if (sym ~ re)
		hit = 1
	next
}

# A sample's header line (comm ...): a new sample starts.
{
	flush()
}

END {
	flush()
	if (top == "")
		top = 20
	n = 0
	for (k in C)
		K[++n] = k
	for (j = 1; j <= n && j <= top; j++) {
		m = j
		for (i = j + 1; i <= n; i++)
			if (C[K[i]] > C[K[m]])
				m = i
		t = K[j]
		K[j] = K[m]
		K[m] = t
		printf "%.1f\t%s\n", 100 * C[K[j]] / total, K[j]
	}
	printf "total\t%d\nall\t%d\n", total + 0, all + 0
}
