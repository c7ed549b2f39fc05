#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The man pages build, render without a warning, and cannot drift from the
# program: every command of "rpilbctl help" has a section in rpilbctl(8);
# every option of the CLI's option tables, as "rpilbctl help --options"
# lists them, has an entry in its command's section (or GLOBAL OPTIONS)
# that agrees on whether it takes an argument, and every entry there is an
# option of that table; "rpilbctl CMD --help" shows the same options; every
# exit code, file and signal is in rpilbctl(8); every directive in the
# tables of docs/config.md is in rpilb.cfg(5).
source "$(dirname "$0")/lib.sh"

need_cmd scdoc man groff python3
[[ -x $RPILBCTL ]] || skip "$RPILBCTL not built (make)"
mktemp_dir T

echo "== $PKG_TEST: man pages"
if "$PKG_ROOT/tools/dist/mkman.sh" "$T" >"$T/mkman.log" 2>&1; then
	ok "mkman.sh builds rpilbctl.8 and rpilb.cfg.5"
else
	bad "mkman.sh" "$(cat "$T/mkman.log")"
	finish
fi

for page in rpilbctl.8 rpilb.cfg.5; do
	if [[ ! -s $T/$page ]]; then
		bad "$page built" "empty or missing"
		continue
	fi
	# man-db: warnings of groff and of man itself (e.g. a bad .TH).
	MANWIDTH=80 man --warnings -E UTF-8 -l "$T/$page" >"$T/$page.txt" 2>"$T/$page.warn"
	if [[ ! -s $T/$page.warn && -s $T/$page.txt ]]; then
		ok "man --warnings -l $page: no warning"
	else
		bad "man --warnings -l $page" "$(head -n 5 "$T/$page.warn")"
	fi
	groff -ww -mandoc -Tutf8 -z "$T/$page" 2>"$T/$page.gwarn"
	if [[ ! -s $T/$page.gwarn ]]; then
		ok "groff -ww -mandoc $page: no warning"
	else
		bad "groff -ww -mandoc $page" "$(head -n 5 "$T/$page.gwarn")"
	fi
	grep -q "^\.TH \"[A-Z.]*\" \"${page##*.}\" .*\"rpilb $PKG_VERSION\"" "$T/$page" &&
		ok "$page carries version $PKG_VERSION" ||
		bad "$page carries version $PKG_VERSION" "$(grep '^\.TH' "$T/$page")"
done

# What the program says about itself.
"$RPILBCTL" help >"$T/help.txt" 2>&1 || bad "rpilbctl help exits 0"
mapfile -t commands < <(sed -n '/^Commands:/,/^$/{s/^  \([a-z][a-z-]*\) .*/\1/p}' "$T/help.txt")
if [[ ${#commands[@]} -ge 12 ]]; then
	ok "rpilbctl help lists ${#commands[@]} commands"
else
	bad "rpilbctl help lists the commands" "found only: ${commands[*]}"
fi
# Every command's help: on stdout, nothing on stderr, exit 0.
for c in "${commands[@]}"; do
	if "$RPILBCTL" "$c" --help >"$T/help-$c.txt" 2>"$T/help-$c.err" && [[ ! -s $T/help-$c.err ]]; then
		_pkg_passed=$((_pkg_passed + 1))
	else
		bad "rpilbctl $c --help: stdout, exit 0" "$(head -n 2 "$T/help-$c.err")"
	fi
done

# Every option of every table, as rpilbctl lists them: "CMD -l --long ARG".
if ! "$RPILBCTL" help --options >"$T/options.txt" 2>"$T/options.err"; then
	bad "rpilbctl help --options exits 0" "$(head -n 2 "$T/options.err")"
fi

python3 - "$T" "$PKG_ROOT/tools/dist/rpilbctl.8.scd" "$PKG_ROOT/docs/config.md" \
	"$T/rpilb.cfg.5.txt" "$T/options.txt" "${commands[@]}" >"$T/drift.txt" <<'EOF'
import re, sys

tmp, scd_path, config_md, cfg_txt_path, options_path, commands = (
    sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])

def rendered(path):
    """man's 80-column text as one line: hyphenation and line breaks undone."""
    t = open(path, encoding="utf-8").read()
    t = re.sub(r"\u2010\n\s+", "", t)       # a word hyphenated at the line end
    t = re.sub(r"-\n\s+", "-", t)           # a line broken after a real hyphen
    t = t.replace("\u2010", "-").replace("\u2212", "-").replace("\u2019", "'")
    t = re.sub(r"[│┃|]", " ", t)            # table borders
    return re.sub(r"\s+", " ", t)

def has(text, word):
    """word appears, not as part of a longer word or option."""
    return re.search(r"(?<![A-Za-z0-9_-])" + re.escape(word) + r"(?![A-Za-z0-9_])", text) is not None

def plain(scd):
    """scdoc source without its markup, for per-section checks."""
    return re.sub(r"\\(.)", r"\1", scd.replace("*", "").replace("_", " "))

result = []
def check(name, cond, detail=""):
    result.append(("ok" if cond else "FAIL") + "\t" + name + ("" if cond else "\t" + detail))

man8 = rendered(tmp + "/rpilbctl.8.txt")
scd = open(scd_path, encoding="utf-8").read()

# The tables: {"up": {"-c": True, "--config": True, "-f": False, ...}, "rpilbctl": {...}},
# True where the option takes an argument.
tables = {}
for line in open(options_path, encoding="utf-8"):
    cmd, short, long, arg = line.split()
    for opt in (short, long):
        if opt != "-":
            tables.setdefault(cmd, {})[opt] = arg != "-"
check("help --options lists the global options and those of every command",
      set(tables) == set(commands) | {"rpilbctl"}, " ".join(sorted(tables)))

# The options with an entry of their own in a part of rpilbctl(8): a line
# that starts with the option ("*-c* _FILE_, *--config* _FILE_"), not a mere
# mention. {option: whether the entry gives it an argument}.
entry_re = re.compile(r"\*(--?[A-Za-z][\w-]*)\*( _[^_]+_)?")
def entries(body):
    found = {}
    for l in body.splitlines():
        if l.startswith("*-"):
            for opt, arg in entry_re.findall(l):
                found[opt] = bool(arg)
    return found
# "## cmd" subsections of COMMANDS, by name.
bodies = {m.group(1): m.group(2) for m in re.finditer(r"^## (\S+)\n(.*?)(?=^#)", scd, re.M | re.S)}
sections = {name: entries(body) for name, body in bodies.items()}
glob = re.search(r"^# GLOBAL OPTIONS\n(.*?)^# ", scd, re.M | re.S)
sections["rpilbctl"] = entries(glob.group(1)) if glob else {}

for c in commands:
    check("command %s has a section in rpilbctl(8)" % c, c in sections)
    check("'rpilbctl %s' in rpilbctl(8)" % c, has(man8, "rpilbctl " + c))
for name in sorted(set(bodies) - set(commands)):
    check("section '## %s' of rpilbctl(8) is a command" % name, False)

# -h/--help is every command's, added by the parser: the help section says so once.
every = {"-h", "--help"}
check("the help section describes COMMAND --help and -h",
      "help" in bodies and has(plain(bodies["help"]), "--help") and has(plain(bodies["help"]), "-h"))
for cmd, opts in sorted(tables.items()):
    where = "GLOBAL OPTIONS" if cmd == "rpilbctl" else "the %s section" % cmd
    man = sections.get(cmd, {})
    for opt, takes in sorted(opts.items()):
        if cmd != "rpilbctl" and opt in every:
            continue
        check("%s %s has an entry in %s" % (cmd, opt, where), opt in man)
        if opt in man:
            check("%s %s: rpilbctl(8) agrees it takes %s" % (cmd, opt, "an argument" if takes else "none"),
                  man[opt] == takes)
    for opt in sorted(man):
        check("%s %s of %s is in the option table" % (cmd, opt, where), opt in opts)

# What "rpilbctl CMD --help" shows is the table: its synopsis and options
# name no other option, and its options block every one of them.
opt_re = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|-[A-Za-z])(?![\w-])")
for c in commands:
    usage = open("%s/help-%s.txt" % (tmp, c), encoding="utf-8").read()
    block = usage.split("\noptions:\n", 1)[1] if "\noptions:\n" in usage else ""
    shown, listed = set(opt_re.findall(usage)), set(opt_re.findall(block))
    for opt in sorted(shown - set(tables.get(c, {}))):
        check("rpilbctl %s --help shows %s, which its table lacks" % (c, opt), False)
    for opt in sorted(set(tables.get(c, {})) - every):
        check("rpilbctl %s --help lists %s" % (c, opt), opt in listed)
help_txt = open(tmp + "/help.txt", encoding="utf-8").read()
for opt in sorted(set(tables.get("rpilbctl", {})) - every):
    check("rpilbctl help lists the global option %s" % opt, has(help_txt, opt))

exits = re.search(r"EXIT STATUS (.*?) ENVIRONMENT", man8)
for code in ("0", "1", "2"):
    check("exit status %s described" % code, exits is not None and has(exits.group(1), code))
for f in ("/etc/rpilb/rpilb.cfg", "/var/lib/rpilb/state", "/var/lib/rpilb/datapath",
          "/run/rpilb/rpilb.sock", "/sys/fs/bpf/rpilb"):
    files = re.search(r"FILES (.*?) SIGNALS", man8)
    check("file %s in FILES" % f, files is not None and f in files.group(1))
sigs = re.search(r"SIGNALS (.*?) SYSTEMD", man8)
for s in ("SIGHUP", "SIGTERM", "SIGINT"):
    check("signal %s in SIGNALS" % s, sigs is not None and has(sigs.group(1), s))
check("SIGTERM leaves the data path attached",
      sigs is not None and "stays attached" in sigs.group(1))

# rpilb.cfg(5) against the tables of docs/config.md.
man5 = rendered(cfg_txt_path)
directive_tables = {"Section", "Directive", "Parameter", "Form", "Directive(s)"}
keyword = re.compile(r"^[a-z0-9][a-z0-9._*/:@-]*$")
wanted, table = [], None
for line in open(config_md, encoding="utf-8"):
    if not line.startswith("|"):
        table = None
        continue
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    if table is None:
        table = cells[0] if cells else ""
        continue
    if table not in directive_tables or set(cells[0]) <= set("-: "):
        continue
    for span in re.findall(r"`([^`]+)`", cells[0]):
        words = []
        for w in span.split():
            if not keyword.match(w) or w == "...":
                break
            words.append(w)
        if words:
            wanted.append(" ".join(words))
seen = set()
for d in wanted:
    if d in seen:
        continue
    seen.add(d)
    check("directive '%s' in rpilb.cfg(5)" % d, has(man5, d))
check("docs/config.md gave at least 150 directives", len(seen) >= 150, "only %d" % len(seen))
print("\n".join(result))
EOF
[[ -s $T/drift.txt ]] || bad "drift checks ran"
total=0
while IFS=$'\t' read -r verdict name detail; do
	total=$((total + 1))
	if [[ $verdict == ok ]]; then
		_pkg_passed=$((_pkg_passed + 1))
	else
		bad "$name" "$detail"
	fi
done <"$T/drift.txt"
echo "  ok    $((total - _pkg_failed)) of $total drift checks (commands, options, exit codes, files, signals, directives)"
finish
