# bash completion for git-model.
#
# `git model <TAB>`: Git's own completion calls _git_model, loading this file on demand (it is
# installed as bash-completion's completion for git-model). `git-model <TAB>` works too.
# The candidates come from the binary itself (go-flags' GO_FLAGS_COMPLETION protocol), so they
# know the repository's artifacts, stages and versions.

# __git_model_complete completes the word under the cursor; $1 is the index in "words" of the
# first argument after the command, and any further arguments come before those words (what
# an alias such as "model promote" adds).
__git_model_complete ()
{
	local start=$1 IFS=$'\n'
	shift
	local -a prefix=("$@") run=(git-model)
	# Follow `git -C DIR` and `git --git-dir=DIR` as Git's completion recorded them.
	if [[ -n ${__git_C_args-} || -n ${__git_dir-} ]]; then
		run=(git ${__git_C_args:+"${__git_C_args[@]}"} ${__git_dir:+--git-dir="$__git_dir"} model)
	fi
	local candidates
	candidates=$(GO_FLAGS_COMPLETION=1 "${run[@]}" ${prefix[@]+"${prefix[@]}"} "${words[@]:start:cword-start}" "$cur" 2>/dev/null)
	# Readline replaces only the part of the word after the last ':' or '=' (both are in
	# COMP_WORDBREAKS), so drop what comes before it from the candidates.
	local strip=
	case $cur in *[:=]*) strip=${cur%"${cur##*[:=]}"} ;; esac
	COMPREPLY=()
	local c
	for c in $candidates; do
		COMPREPLY+=("${c#"$strip"} ")
	done
}

# Called by Git's completion for `git model …`, and for an alias of it (`git promote …` with
# alias.promote = "model promote"), with words, cword, cur and __git_cmd_idx set.
_git_model ()
{
	local idx=${__git_cmd_idx:-1}
	local -a prefix=()
	# For an alias, Git's completion has put "model" in words; the word typed is still in
	# COMP_WORDS, and what the alias adds after "model" goes before the arguments.
	local typed=${COMP_WORDS[idx]-model}
	if [[ $typed != model && $typed != *[=:]* ]]; then
		local -a expansion
		read -r -a expansion <<<"$(__git config --get "alias.$typed")"
		[[ ${expansion[0]-} == model ]] && prefix=("${expansion[@]:1}")
	fi
	__git_model_complete $((idx + 1)) ${prefix[@]+"${prefix[@]}"}
}

# `git-model …` run directly.
__git_model_standalone ()
{
	local cur words cword prev
	if declare -F _get_comp_words_by_ref >/dev/null; then
		_get_comp_words_by_ref -n =: cur words cword prev
	else
		cur=${COMP_WORDS[COMP_CWORD]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	__git_model_complete 1
}

complete -o nospace -o default -F __git_model_standalone git-model
