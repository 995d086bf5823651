#!/bin/bash
# Scoop on Sun/Oracle/Son of Grid Engine (SGE):   qsub hostfiles/sge.sh
#
# The launcher finds everything in the job's environment: the hosts and their slots in $PE_HOSTFILE
# (lines 'host slots queue processors') and the number of workers in NSLOTS. So there is no hostfile and
# no -n: ask SGE for slots in a parallel environment (-pe), one worker JVM each. Without -pe, SGE writes
# no PE_HOSTFILE and the launcher uses this machine's processors.
#
# Workers start through Grid Engine itself: `qrsh -inherit HOST 'exec java ...'`, one per worker, on every
# host of the job, this one included. So they run under the job's accounting and limits, qdel ends them with
# the job, and no SSH between hosts is needed. This needs a parallel environment with "control_slaves TRUE"
# (a tight integration: qconf -sp NAME shows it); the run's keys reach each worker on its standard input
# through qrsh. The hosts must see the jars (and java) at the same paths as this one: a shared file system,
# as the job's working directory (-cwd) usually is. Workers dial this host's first routable address; on
# nodes with several networks, pass the one to use: --broker-hostname "$(hostname -s)-ib0", say.
# --spawn ssh brings back SSH between the hosts. Add --dry-run to SCOOP_OPTS below to print the plan: the
# spawn method and each host's workers.

# Edit the lines marked EDIT. Keep each #$ line free of trailing comments.

# EDIT: the job's name, as qstat shows it
#$ -N scoop
# EDIT: the parallel environment and the number of worker JVMs. "smp" is a common name for one that keeps
# all slots on one host ($pe_slots); one with allocation_rule $fill_up or $round_robin ("mpi", "orte" at
# many sites) spreads them over hosts. List your site's with: qconf -spl. For workers on several hosts it
# needs control_slaves TRUE (see above)
#$ -pe smp 8
# EDIT: the time limit. At h_rt SGE kills the job (SIGKILL): the root and the workers end with the
# launcher all the same, since they watch it, and SGE ends the job's qrsh tasks on every host
#$ -l h_rt=01:00:00
# Run in the folder qsub was run in, with bash, one output file for standard output and error
#$ -cwd
#$ -S /bin/bash
#$ -j y

set -eo pipefail

# EDIT: where the launcher and your program are: absolute paths, or relative to the folder you ran
# qsub in
SCOOP_LAUNCHER=${SCOOP_LAUNCHER:-scoop-launcher/target/scoop-launcher.jar}
APP_JAR=${APP_JAR:-scoop-examples/target/scoop-examples.jar}
# EDIT: your program's arguments (or pass them as APP_ARGS="where 24" in the environment of qsub -V)
read -r -a APP_ARGS <<< "${APP_ARGS:-pi}"
# EDIT: launcher options, e.g. "-v" to print the plan and each step, "--dry-run", "--threads 2",
# "--jvm-opt=-Xmx2g"
SCOOP_OPTS=${SCOOP_OPTS:-}

# EDIT: make Java 17 or later available, if your site uses environment modules
# module load java/17

# exec: the launcher replaces this shell, so SGE's signals (qdel) reach it.
# shellcheck disable=SC2086
read -r -a OPTS <<< "$SCOOP_OPTS"   # words, never globbed against the job's directory
exec java -jar "$SCOOP_LAUNCHER" "${OPTS[@]}" "$APP_JAR" "${APP_ARGS[@]}"
