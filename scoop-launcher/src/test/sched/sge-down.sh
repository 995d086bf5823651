#!/bin/bash
# Ends what sge-up.sh DIR started: its daemons by their PID files (never by name), then its namespaces, veths and
# bridge as DIR/links lists them, then DIR.
dir=${1:?usage: sge-down.sh DIR}
for f in "$dir"/spool/execd/*/execd.pid "$dir/spool/qmaster/qmaster.pid"; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null
done
if [ -f "$dir/links" ]; then
  while read -r kind name; do
    if [ "$kind" = netns ]; then
      # whatever still runs in the namespace (a job's process) goes with it
      for p in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
      ip netns del "$name" 2>/dev/null
    else
      ip link del "$kind" 2>/dev/null
    fi
  done < "$dir/links"
fi
rm -rf "$dir"
exit 0
