#!/bin/bash
# Scoop on Slurm:   sbatch hostfiles/slurm.sh
#
# The launcher finds everything in the job's environment: the hosts in SLURM_JOB_NODELIST (expanded by
# the launcher, no scontrol needed), each host's slots in SLURM_TASKS_PER_NODE, and the number of
# workers in SLURM_NTASKS. So there is no hostfile and no -n: ask Slurm for tasks, one worker JVM each.
#
# Workers start through Slurm itself: one job step per worker, `srun --overlap -N1 -n1 -w NODE java ...`,
# on every node of the job, this one included. So they count in the job's accounting and limits, `scancel`
# and the time limit end them with the job, and no SSH between nodes is needed. The run's keys reach each
# worker on its standard input through srun. The nodes must see the jars (and java) at the same paths as
# this one: a shared file system, as the job's working directory usually is. Workers dial this node's first
# routable address; on nodes with several networks, pass the one to use: --broker-hostname
# "$(hostname -s)-ib0", say. --spawn ssh brings back SSH between the nodes. Add --dry-run to SCOOP_OPTS
# below to print the plan: the spawn method and each node's workers.

# Edit the lines marked EDIT. Keep each #SBATCH line free of trailing comments.

# EDIT: the job's name, as squeue shows it
#SBATCH --job-name=scoop
# EDIT: the number of nodes
#SBATCH --nodes=2
# EDIT: the number of worker JVMs (each runs --threads task threads, 1 by default; with --threads 4,
# ask for --cpus-per-task=4 too)
#SBATCH --ntasks=8
# EDIT: the time limit; at the end Slurm sends SIGTERM and the launcher ends every process it started
#SBATCH --time=01:00:00
# The output of the launcher, the program and the workers ([node2/w1] ...); %j is the job id
#SBATCH --output=scoop-%j.out

set -eo pipefail

# EDIT: where the launcher and your program are: absolute paths, or relative to the folder you ran
# sbatch in (Slurm starts the job there)
SCOOP_LAUNCHER=${SCOOP_LAUNCHER:-scoop-launcher/target/scoop-launcher.jar}
APP_JAR=${APP_JAR:-scoop-examples/target/scoop-examples.jar}
# EDIT: your program's arguments (or pass them as APP_ARGS="where 24" in the environment of sbatch)
read -r -a APP_ARGS <<< "${APP_ARGS:-pi}"
# EDIT: launcher options, e.g. "-v" to print the plan and each step, "--dry-run", "--threads 2",
# "--jvm-opt=-Xmx2g"
SCOOP_OPTS=${SCOOP_OPTS:-}

# EDIT: make Java 17 or later available, if your site uses environment modules
# module load java/17

# exec: the launcher replaces this shell, so Slurm's signals (scancel, the time limit) reach it.
# shellcheck disable=SC2086
read -r -a OPTS <<< "$SCOOP_OPTS"   # words, never globbed against the job's directory
exec java -jar "$SCOOP_LAUNCHER" "${OPTS[@]}" "$APP_JAR" "${APP_ARGS[@]}"
