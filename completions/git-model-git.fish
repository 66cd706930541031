# fish: complete `git model <TAB>` (and aliases of it, `git -C DIR model`, `git --git-dir=DIR
# model`) with git-model's own completions. It is installed in vendor_conf.d, since fish loads
# git's completions, not git-model's, for `git …`; fish 3.6 (Debian 12) also looks up custom
# git commands by the wrong name.
function __git_model_complete_git
    set -l cmd (commandline -opc)
    set -e cmd[1] # git
    argparse -s (__fish_git_global_optspecs) -- $cmd 2>/dev/null
    or return
    # $argv is now the subcommand and its arguments; an alias adds what it expands to.
    set -l args $argv[2..]
    if test "$argv[1]" != model
        set -l expansion (string split -n ' ' -- (__fish_git config --get alias.$argv[1]))
        test "$expansion[1]" = model
        or return
        set args $expansion[2..] $args
    end
    set -lx GO_FLAGS_COMPLETION verbose
    __fish_git model $args (commandline -ct) | string replace -r '^(.*?)  # (.*)$' '$1\t$2'
end

complete -c git -f -n '__fish_git_using_command model' -a '(__git_model_complete_git)'
