# fish: complete `git model <TAB>` with git-model's own completions (installed in
# vendor_conf.d, since fish loads git's completions, not git-model's, for `git …`). fish 3.7
# does this for every git-* command; fish 3.6 (Debian 12) looks for the wrong name.
complete -c git -f -n '__fish_git_using_command model' \
    -a '(complete -C (string join " " -- git-model (string escape -- (commandline -opc)[3..]) (commandline -ct)))'
