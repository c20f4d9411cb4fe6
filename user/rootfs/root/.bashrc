# ~/.bashrc - interactive bash on Keel.
alias ls='ls --color=auto'
alias ll='ls -l'
