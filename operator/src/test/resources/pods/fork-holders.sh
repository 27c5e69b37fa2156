#!/bin/bash
# A tenant's pod at its worst for the agent's status: one process opens CONNS connections to
# 127.0.0.1:PORT (whose server closes them, so they sit in CLOSE_WAIT), then forks CHILDREN
# processes that inherit them, all named with escape sequences, a newline, DEL and invalid UTF-8
# (a symlink of that name to sleep: the kernel names a process after the file it runs).
# Usage: fork-holders.sh PORT CONNS CHILDREN DIR
port=$1 conns=$2 children=$3 dir=$4
# the test places this process in its pod's cgroup once it has joined the network namespace;
# children forked before that would be outside the pod
until grep -q kubepods "/proc/$$/cgroup"; do sleep 0.05; done
for ((i = 0; i < conns; i++)); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" || exit 1
done
name=$'\e[2J\e]0;\a\n\x7f\xc3('
ln -sf /bin/sleep "$dir/$name"
for ((i = 0; i < children; i++)); do
  "$dir/$name" 300 &
done
echo ready
wait
