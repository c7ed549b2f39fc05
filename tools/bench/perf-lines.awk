# SPDX-License-Identifier: GPL-2.0-only
#
# Place perf samples on source lines of a JITed BPF program.
#
#   awk -v top=N -f perf-lines.awk LINES SAMPLES
#
# LINES is `bpfcost lines ID` (or bpfcost -L): "range START END" for each
# JITed function and "line ADDR FILE:LINE SOURCE" for each BTF line record,
# addresses as 16 hex digits. SAMPLES has a sample's address first on each
# line (perf script -G -F ip,sym). A sample inside one of the ranges counts
# for the last line record at or below its address. Prints the top lines as
# "PERCENT<TAB>FILE:LINE<TAB>SOURCE", then "total<TAB>N" (samples placed).
# Plain POSIX awk (mawk): addresses are compared as fixed-width strings.

function pad(h)
{
	h = tolower(h)
	sub(/^0x/, "", h)
	while (length(h) < 16)
		h = "0" h
	return h
}

FNR == NR {
	split($0, f, "\t")
	if (f[1] == "range") {
		nr++
		RS_[nr] = f[2]
		RE_[nr] = f[3]
	} else if (f[1] == "line") {
		nl++
		A[nl] = f[2]
		L[nl] = f[3]
		# The source text may hold tabs itself: all after the third field.
		src = $0
		sub(/^[^\t]*\t[^\t]*\t[^\t]*\t/, "", src)
		gsub(/^[ \t]+|[ \t]+$/, "", src)
		S[f[3]] = src
	}
	next
}

{
	ip = pad($1)
	inside = 0
	for (i = 1; i <= nr; i++)
		if (ip >= RS_[i] && ip < RE_[i]) {
			inside = 1
			break
		}
	if (!inside)
		next
	# Binary search for the last record at or below ip (A[] is sorted).
	lo = 1
	hi = nl
	best = 0
	while (lo <= hi) {
		mid = int((lo + hi) / 2)
		if (A[mid] <= ip) {
			best = mid
			lo = mid + 1
		} else {
			hi = mid - 1
		}
	}
	if (best) {
		C[L[best]]++
		total++
	}
}

END {
	if (top == "")
		top = 20
	n = 0
	for (k in C)
		K[++n] = k
	# Selection of the top entries; n is a few hundred at most.
	for (j = 1; j <= n && j <= top; j++) {
		m = j
		for (i = j + 1; i <= n; i++)
			if (C[K[i]] > C[K[m]])
				m = i
		t = K[j]
		K[j] = K[m]
		K[m] = t
		printf "%.1f\t%s\t%s\n", 100 * C[K[j]] / total, K[j], S[K[j]]
	}
	printf "total\t%d\n", total + 0
}
