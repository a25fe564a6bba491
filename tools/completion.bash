# bash completion for trapeze.                       -*- shell-script -*-
#
# Installed by `make install` where bash-completion finds it; without
# installing: `source tools/completion.bash` (e.g. in ~/.bashrc).
#
# The commands and their options are read from the program's own help,
# so they never fall behind it: the commands from `trapeze help`, each
# command's options from the usage paragraph of `trapeze help COMMAND`
# (plus run's options where it says "[run options]"), and the choices of
# an option written --NAME=A|B from that same line.  Files are offered by
# extension: .s for `as`, .elf for dis, and images (.elf) or assembly
# source (.s) for run, debug and dot.
# tests/completion.sh checks what it offers.

# _trapeze_usage PROGRAM COMMAND: the usage paragraph of COMMAND's help.
_trapeze_usage()
{
	"$1" help "$2" 2> /dev/null | sed -n '/^$/q;p'
}

# _trapeze_options PROGRAM COMMAND: COMMAND's options, one a line, those
# that take a value glued on with their "=".
_trapeze_options()
{
	local usage
	usage=$(_trapeze_usage "$1" "$2")
	if [[ $usage == *"[run options]"* ]]; then
		usage+=$'\n'$(_trapeze_usage "$1" run)
	fi
	printf '%s\n' "$usage" |
		grep -oE '(^|[][ (|])(-[A-Za-z]|--[a-z][a-z-]*=?)' |
		sed 's/^[][ (|]//' | sort -u
}

# _trapeze_files EXTENSION...: files ending in one of the extensions, and
# directories (to walk into), matching the word being completed.
_trapeze_files()
{
	local IFS=$'\n' ext
	if [[ $1 == '*' ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	else
		COMPREPLY=($(compgen -d -- "$cur"))
		for ext in "$@"; do
			COMPREPLY+=($(compgen -f -X "!*.$ext" -- "$cur"))
		done
	fi
	compopt -o filenames 2> /dev/null
}

# _trapeze_commands PROGRAM: the commands, from the list of `trapeze help`.
_trapeze_commands()
{
	"$1" help 2> /dev/null | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'
}

# _trapeze_option_value PROGRAM COMMAND NAME VALUE PREFIX: the values of
# option NAME starting with VALUE, each after PREFIX: the choices written
# NAME=A|B in the usage, else file names (--disk=, --trace=, ...).
_trapeze_option_value()
{
	local choices
	choices=$({ _trapeze_usage "$1" "$2"; _trapeze_usage "$1" run; } |
		grep -oE -- "$3=[a-z]+(\|[a-z]+)+" | head -n 1)
	if [[ -n $choices ]]; then
		choices=${choices#*=}
		COMPREPLY=($(compgen -W "${choices//|/ }" -- "$4"))
	else
		cur=$4
		_trapeze_files '*'
	fi
	COMPREPLY=("${COMPREPLY[@]/#/$5}")
}

_trapeze()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]}
	local cmd=${COMP_WORDS[1]}
	COMPREPLY=()

	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$(_trapeze_commands "$prog") --help --version" \
			-- "$cur"))
		return
	fi

	# Values of the options that take one.
	case $prev in
	-o) _trapeze_files "$([[ $cmd == as ]] && echo elf || echo '*')"; return ;;
	-l | -x) _trapeze_files '*'; return ;;
	-I) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2> /dev/null; return ;;
	--at-cycle | --walk) return ;;
	esac
	# An option's value after "=": bash splits "--mode=cl" into the words
	# "--mode" "=" "cl" when "=" is in COMP_WORDBREAKS (the default), and
	# then only "cl" is replaced; else the word is "--mode=cl" whole.
	local name="" value prefix=""
	if [[ $cur == = ]]; then
		name=$prev value=""
	elif [[ $prev == = ]]; then
		name=${COMP_WORDS[COMP_CWORD - 2]} value=$cur
	elif [[ $cur == --*=* ]]; then
		name=${cur%%=*} value=${cur#*=} prefix="$name="
	fi
	if [[ -n $name ]]; then
		_trapeze_option_value "$prog" "$cmd" "$name" "$value" "$prefix"
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_trapeze_options "$prog" "$cmd")" -- "$cur"))
		[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2> /dev/null
		return
	fi

	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$(_trapeze_commands "$prog")" -- "$cur"))
		;;
	as) _trapeze_files s ;;
	dis) _trapeze_files elf ;;
	run | debug) _trapeze_files elf s ;;
	dot)
		# The diagram comes first, then the images.
		if ((COMP_CWORD == 2)); then
			local diagrams
			diagrams=$(_trapeze_usage "$prog" dot |
				sed -n 's/^usage: [^ ]* dot \([a-z|]*\) .*/\1/p')
			COMPREPLY=($(compgen -W "${diagrams//|/ }" -- "$cur"))
		else
			_trapeze_files elf s
		fi
		;;
	esac
}

complete -F _trapeze trapeze
