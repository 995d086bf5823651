#!/bin/bash
# A throw-away Slurm cluster for the "sched" tests, as root, from Debian's packages: munged, slurmctld and one
# slurmd per node, every file under DIR, nothing under /etc touched, no systemd.
#
#   slurm-up.sh DIR NODES      then: export SLURM_CONF=DIR/slurm.conf;   slurm-down.sh DIR ends it
#
# NODES > 1 runs node1..nodeN on this one machine (Debian's slurmd is built with multiple-slurmd support): each
# slurmd gets its own port and its own UTS and mount namespaces, so that `hostname` there says nodeX and a hosts
# file bound over /etc/hosts resolves the node names. The nodes share this machine's network: every node is at
# 127.0.0.1, which is why the launcher must never decide from an address which node is "this" one.
set -euo pipefail
dir=${1:?usage: slurm-up.sh DIR NODES}; nodes=${2:-3}
me=$(hostname -s)
mkdir -p "$dir"/{state,log,munge}
for i in $(seq 1 "$nodes"); do mkdir -p "$dir/spool/node$i"; done
chmod 700 "$dir/munge"

# munge, with its own key and socket: Slurm finds the socket through AuthInfo.
head -c 1024 /dev/urandom > "$dir/munge/munge.key"; chmod 400 "$dir/munge/munge.key"
/usr/sbin/munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"

# linuxproc process tracking and no task plugin: no cgroups needed. MinJobAge low, or sbatch --wait lingers.
cat > "$dir/slurm.conf" <<CONF
ClusterName=scooptest
SlurmctldHost=$me(127.0.0.1)
SlurmctldPort=${SLURMCTLD_PORT:-16817}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
MinJobAge=2
NodeName=node[1-$nodes] NodeHostname=$me NodeAddr=127.0.0.1 Port=$((${SLURMD_PORT:-17000}+1))-$((${SLURMD_PORT:-17000}+nodes)) CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF=$dir/slurm.conf
/usr/sbin/slurmctld -f "$SLURM_CONF" -i
{ echo "127.0.0.1 localhost $me"; for i in $(seq 1 "$nodes"); do echo "127.0.0.1 node$i"; done; } > "$dir/hosts"
for i in $(seq 1 "$nodes"); do
  unshare --uts --mount sh -c 'hostname "$1" && mount --bind "$2" /etc/hosts && exec /usr/sbin/slurmd -f "$3" -N "$1"' \
    sh "node$i" "$dir/hosts" "$SLURM_CONF"
done
# Up when every node is idle.
for _ in $(seq 1 120); do
  [ "$(sinfo -h -t idle -o %D 2>/dev/null | head -1)" = "$nodes" ] && exit 0
  sleep 0.25
done
echo "slurm-up: the $nodes nodes did not become idle within 30 s; see $dir/log" >&2
sinfo >&2 || true
exit 1
