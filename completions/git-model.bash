# bash completion for git-model.
#
# `git model <TAB>`: Git's own completion calls _git_model, loading this file on demand (it is
# installed as bash-completion's completion for git-model). `git-model <TAB>` works too.
# The candidates come from the binary itself (go-flags' GO_FLAGS_COMPLETION protocol), so they
# know the repository's artifacts, stages and versions.

# __git_model_complete completes the word under the cursor; $1 is the index in "words" of the
# first argument after the command.
__git_model_complete ()
{
	local start=$1 IFS=$'\n'
	local -a run=(git-model)
	# Follow `git -C DIR` and `git --git-dir=DIR` as Git's completion recorded them.
	if [[ -n ${__git_C_args-} || -n ${__git_dir-} ]]; then
		run=(git ${__git_C_args:+"${__git_C_args[@]}"} ${__git_dir:+--git-dir="$__git_dir"} model)
	fi
	local candidates
	candidates=$(GO_FLAGS_COMPLETION=1 "${run[@]}" "${words[@]:start:cword-start}" "$cur" 2>/dev/null)
	# Readline replaces only the part of the word after the last ':' or '=' (COMP_WORDBREAKS),
	# so drop what comes before it from the candidates.
	local word=${COMP_WORDS[COMP_CWORD]} strip=
	[[ $cur == *"$word" ]] && strip=${cur%"$word"}
	COMPREPLY=()
	local c
	for c in $candidates; do
		COMPREPLY+=("${c#"$strip"} ")
	done
}

# Called by Git's completion for `git model …`, with words, cword and cur set.
_git_model ()
{
	local i start=$cword
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == model ]]; then
			start=$((i + 1))
			break
		fi
	done
	__git_model_complete "$start"
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
