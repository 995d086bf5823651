#!/bin/bash
# Ends what slurm-up.sh DIR started, by the PID files it wrote (never by name), then removes DIR.
dir=${1:?usage: slurm-down.sh DIR}
# Jobs first: a job's slurmstepd (and the launcher, root and workers under it) outlives a killed slurmd.
if [ -f "$dir/slurm.conf" ] && [ -f "$dir/slurmctld.pid" ]; then
  SLURM_CONF="$dir/slurm.conf" scancel --full --user=root 2>/dev/null
  for _ in $(seq 1 100); do
    [ -z "$(SLURM_CONF="$dir/slurm.conf" squeue -h 2>/dev/null)" ] && break
    sleep 0.1
  done
fi
for f in "$dir"/slurmd-*.pid "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
done
rm -rf "$dir"
exit 0
