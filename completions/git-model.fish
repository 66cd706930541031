# fish completion for git-model: `git-model <TAB>`. The candidates come from the binary itself
# (go-flags' GO_FLAGS_COMPLETION protocol), with their descriptions. `git model <TAB>` is
# completed by git-model-git.fish (installed in vendor_conf.d), which hands the words to this.

function __git_model_complete
    set -l tokens (commandline -opc)
    set -e tokens[1] # git-model
    GO_FLAGS_COMPLETION=verbose git-model $tokens (commandline -ct) 2>/dev/null | string replace -r '^(.*?)  # (.*)$' '$1\t$2'
end

complete -c git-model -f -a '(__git_model_complete)'
