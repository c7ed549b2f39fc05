# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# bash completion for rpilbctl(8): commands, each command's options, server
# names (for drain, maint, enable, del-node and conns --node) and backend
# names from the running daemon, interfaces for -i, attach modes for -m,
# files for -c and -L. Installed as
# /usr/share/bash-completion/completions/rpilbctl.
#
# Server names come from "rpilbctl -j status", read without jq. The control
# socket is root-only unless socket-group/socket-mode open it, so a user
# without access (or with no daemon running) simply gets no names.

_rpilbctl_commands="up down status check add-node del-node drain maint enable reload stats conns help"

# The options of each command (long and short), and the global ones: the
# CLI's option tables, which "rpilbctl help --options" lists and rpilbctl(8)
# describes. Written out rather than asked for at each TAB, so completion
# needs no working rpilbctl; tests/pkg/test_completion.sh fails when these
# lists and the tables differ.
_rpilbctl_opts_up="-c --config -i --interface -m --mode -f --foreground -L --log-file -j --json -h --help"
_rpilbctl_opts_down="-c --config -j --json -h --help"
_rpilbctl_opts_status="-j --json -h --help"
_rpilbctl_opts_check="-c --config -j --json -h --help"
_rpilbctl_opts_add_node="--weight --backend -j --json -h --help"
_rpilbctl_opts_del_node="--backend -j --json -h --help"
_rpilbctl_opts_drain="--backend --wait --timeout -j --json -h --help"
_rpilbctl_opts_maint="--backend -j --json -h --help"
_rpilbctl_opts_enable="--backend -j --json -h --help"
_rpilbctl_opts_reload="-j --json -h --help"
_rpilbctl_opts_stats="-a --all -j --json -h --help"
_rpilbctl_opts_conns="--node --backend --client -j --json -h --help"
_rpilbctl_opts_help="-h --help"
_rpilbctl_global_opts="-j --json -p --pretty -v --verbose -S --socket -V --version -h --help"
# The commands' options that take a value (the word after them is no argument).
_rpilbctl_arg_opts="-c --config -i --interface -m --mode -L --log-file --weight --backend --timeout --node --client"
_rpilbctl_modes="auto xdp xdpgeneric tc"

# _rpilbctl_names KIND RPILBCTL [SOCKET-ARGS...]: the names of the servers
# (KIND=servers) or of the backends (KIND=backends) the daemon runs, one a
# line. A small JSON reader in awk: it follows objects, arrays and keys, so
# the order of fields and the contents of other strings do not matter.
_rpilbctl_names()
{
	local kind=$1 cmd=$2 json
	shift 2
	if command -v timeout >/dev/null 2>&1; then
		json=$(timeout 2 "$cmd" "$@" -j status 2>/dev/null) || return 0
	else
		json=$("$cmd" "$@" -j status 2>/dev/null) || return 0
	fi
	printf '%s' "$json" | awk -v want="$kind" '
	BEGIN { RS = "\001" }
	{
		s = $0; n = length(s); d = 0; i = 1
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "\"") {
				str = ""
				for (j = i + 1; j <= n; j++) {
					e = substr(s, j, 1)
					if (e == "\\") { str = str substr(s, j, 2); j++; continue }
					if (e == "\"") break
					str = str e
				}
				i = j + 1
				if (type[d] == "o" && wantkey[d]) {
					key[d] = str; wantkey[d] = 0
				} else if (type[d] == "o" && type[d - 1] == "a") {
					# pk: the key an object (or its array) hangs from. A
					# server is keyed "server", a backend "backend".
					if (want == "servers" && key[d] == "server" && pk[d] == "servers" &&
					    pk[d - 2] == "backends")
						print str
					else if (want == "backends" && key[d] == "backend" &&
						 pk[d] == "backends" && d == 3)
						print str
				}
				continue
			}
			if (c == "{" || c == "[") {
				d++
				type[d] = (c == "{") ? "o" : "a"
				wantkey[d] = (c == "{")
				key[d] = ""
				pk[d] = (type[d - 1] == "o") ? key[d - 1] : pk[d - 1]
			} else if (c == "}" || c == "]") {
				d--
			} else if (c == "," && type[d] == "o") {
				wantkey[d] = 1
			}
			i++
		}
	}' 2>/dev/null | sort -u
}

_rpilbctl_interfaces()
{
	local dev
	for dev in /sys/class/net/*; do
		[[ -d $dev ]] || continue
		dev=${dev##*/}
		[[ $dev == lo ]] || printf '%s\n' "$dev"
	done
}

_rpilbctl_files()
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		# shellcheck disable=SC2207 # one name a line, split on newlines
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_rpilbctl_words()
{
	local IFS=$' \t\n'
	# shellcheck disable=SC2207 # words never hold blanks
	COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# Names may hold ':', which bash splits words at.
_rpilbctl_name_words()
{
	_rpilbctl_words "$1"
	if declare -F __ltrim_colon_completions >/dev/null; then
		__ltrim_colon_completions "$cur"
	fi
}

_rpilbctl()
{
	local cur prev words cword
	local i w cmd="" cmd_at=0 opt arg_opts name_cmd nargs=0 list
	local -a sock=()

	COMPREPLY=()
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${words[cword]}
	prev=${words[cword - 1]:-}
	# "--config=FI": bash splits at "=", leaving "--config", "=", "FI".
	if [[ $cur == = ]]; then
		prev=${words[cword - 1]}
		cur=""
	elif [[ $prev == = && $cword -ge 2 ]]; then
		prev=${words[cword - 2]}
	fi

	# The command: the first word that is neither a global option nor the
	# argument of -S. A unique prefix counts, as rpilbctl accepts it.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-S | --socket)
			sock=(-S "${words[i + 1]:-}")
			((i++))
			;;
		--socket=*) sock=(-S "${w#--socket=}") ;;
		-*) ;;
		*)
			cmd=$w
			cmd_at=$i
			break
			;;
		esac
	done
	if [[ -n $cmd ]]; then
		list=$(compgen -W "$_rpilbctl_commands" -- "$cmd")
		if [[ " $_rpilbctl_commands " == *" $cmd "* ]]; then
			:
		elif [[ -n $list && $list != *$'\n'* ]]; then
			cmd=$list
		else
			return 0
		fi
	fi

	# Before the command: global options or the command itself.
	if [[ -z $cmd ]]; then
		case $prev in
		-S | --socket)
			_rpilbctl_files
			return 0
			;;
		esac
		if [[ $cur == -* ]]; then
			_rpilbctl_words "$_rpilbctl_global_opts"
		else
			_rpilbctl_words "$_rpilbctl_commands"
		fi
		return 0
	fi

	# The value of an option of the command.
	case $cmd:$prev in
	up:-c | up:--config | down:-c | down:--config | check:-c | check:--config | \
		up:-L | up:--log-file)
		_rpilbctl_files
		return 0
		;;
	up:-i | up:--interface)
		_rpilbctl_words "$(_rpilbctl_interfaces)"
		return 0
		;;
	up:-m | up:--mode)
		_rpilbctl_words "$_rpilbctl_modes"
		return 0
		;;
	*:--backend)
		_rpilbctl_name_words "$(_rpilbctl_names backends "$1" "${sock[@]}")"
		return 0
		;;
	conns:--node)
		_rpilbctl_name_words "$(_rpilbctl_names servers "$1" "${sock[@]}")"
		return 0
		;;
	add-node:--weight | drain:--timeout | conns:--client)
		return 0
		;;
	esac

	name_cmd=${cmd//-/_}
	opt=_rpilbctl_opts_$name_cmd
	if [[ $cur == -* ]]; then
		_rpilbctl_words "${!opt}"
		return 0
	fi

	# Positional arguments: count those before the cursor, skipping options
	# and the values of the options that take one.
	arg_opts=" $_rpilbctl_arg_opts "
	for ((i = cmd_at + 1; i < cword; i++)); do
		w=${words[i]}
		if [[ $w == = ]]; then
			((i++))
		elif [[ $arg_opts == *" $w "* ]]; then
			[[ ${words[i + 1]:-} == = ]] && ((i++))
			((i++))
		elif [[ $w != -* ]]; then
			((nargs++))
		fi
	done
	case $cmd in
	drain | maint | enable | del-node)
		[[ $nargs -eq 0 ]] && _rpilbctl_name_words "$(_rpilbctl_names servers "$1" "${sock[@]}")"
		;;
	help)
		[[ $nargs -eq 0 ]] && _rpilbctl_words "$_rpilbctl_commands"
		;;
	esac
	return 0
}

complete -F _rpilbctl rpilbctl
