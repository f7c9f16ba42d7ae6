#!/bin/sh
# The guardian: a tiny process that outlives a crashed orchestrator just long enough to stop
# what it left behind. Its stdin is a pipe from the orchestrator; any death of the orchestrator
# (SIGKILL included) closes that pipe at once. A clean shutdown writes "clean" first, and then
# the guardian simply exits. Otherwise it stops every recorded service process group (SIGTERM,
# then SIGKILL after 5 s) and the embedded nats-server, and leaves a report for the next
# `nestor up`, which publishes it as events. POSIX sh with builtins and coreutils only: it idles
# in about a megabyte where a Node guardian took about forty.
# Usage: sh guardian.sh <pids.json> <nats-server.pid> <crash-report.json>
# pids.json has one record per line ("<service>":{"pid":N,"startTime":N|null,...}); see
# src/controller/pid-registry.ts.
pids_file=$1
nats_pid_file=$2
report_file=$3

# The orchestrator's terminal signals are not ours to act on.
trap '' INT HUP TERM

clean=
while IFS= read -r line; do
  [ "$line" = clean ] && clean=1
done
[ -n "$clean" ] && exit 0

# "<state> <pgrp> <starttime>" of a pid, from /proc/<pid>/stat (the command name may hold spaces
# and parentheses, so the fields are read after the last ')').
proc_fields() {
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  set -- ${stat##*) }
  echo "$1 $3 ${20}"
}

# Live members only: this machine's init may never reap zombies, and kill -0 -pgid counts them.
live_groups() {
  for f in /proc/[0-9]*/stat; do
    read -r stat 2>/dev/null <"$f" || continue
    set -- ${stat##*) }
    [ "$1" = Z ] || echo "$3"
  done
}

groups=
stopped=
records=$(sed -n 's/^ *"\([^"]*\)": *{"pid": *\([0-9]*\), *"startTime": *\([0-9a-z]*\).*/\1 \2 \3/p' "$pids_file" 2>/dev/null)
while read -r service pid start; do
  [ -n "$pid" ] && [ "$start" != null ] || continue
  fields=$(proc_fields "$pid") || continue
  set -- $fields
  # A recycled pid has another start time: never signal a stranger's group.
  [ "$3" = "$start" ] || continue
  [ "$1" = Z ] && continue
  kill -TERM "-$pid" 2>/dev/null || continue
  groups="$groups $pid"
  stopped="$stopped${stopped:+,}{\"service\":\"$service\",\"pid\":$pid}"
done <<EOF
$records
EOF

# Every group got its SIGTERM at once; wait up to 5 s for all of them, then SIGKILL what is left.
# Hundredths of a second since boot.
now() {
  read -r up _ </proc/uptime
  echo "${up%.*}${up#*.}"
}
deadline=$(($(now) + 500))
while [ -n "$groups" ] && [ "$(now)" -lt $deadline ]; do
  sleep 0.1
  alive=" $(live_groups | tr '\n' ' ') "
  left=
  for g in $groups; do
    case $alive in *" $g "*) left="$left $g" ;; esac
  done
  groups=$left
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done

nats=null
pid=$(cat "$nats_pid_file" 2>/dev/null | tr -dc 0-9)
if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q nats-server; then
  kill -TERM "$pid" 2>/dev/null && nats=$pid
fi
at=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
printf '{"at":"%s","stopped":[%s],"nats":%s}\n' "$at" "$stopped" "$nats" >"$report_file.tmp" && mv "$report_file.tmp" "$report_file"
