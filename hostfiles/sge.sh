#!/bin/bash
# Scoop on Sun/Oracle/Son of Grid Engine (SGE):   qsub hostfiles/sge.sh
#
# The launcher finds everything in the job's environment: the hosts and their slots in $PE_HOSTFILE
# (lines 'host slots queue processors') and the number of workers in NSLOTS. So there is no hostfile and
# no -n: ask SGE for slots in a parallel environment (-pe), one worker JVM each. Without -pe, SGE writes
# no PE_HOSTFILE and the launcher uses this machine's processors.
#
# For now the launcher starts workers on the host it runs on only (starting them on other hosts over SSH
# comes later): use a parallel environment that keeps all slots on one host (allocation_rule $pe_slots).
# With slots on several hosts the launcher stops before starting anything and says so. Add --dry-run to
# SCOOP_OPTS below to print how it would spread the workers over the hosts.
#
# Edit the lines marked EDIT. Keep each #$ line free of trailing comments.

# EDIT: the job's name, as qstat shows it
#$ -N scoop
# EDIT: the parallel environment and the number of worker JVMs. "smp" is a common name for a $pe_slots
# environment; list your site's with: qconf -spl
#$ -pe smp 8
# EDIT: the time limit. At h_rt SGE kills the job (SIGKILL): the root and the workers end with the
# launcher all the same, since they watch it
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
# EDIT: your program's arguments
APP_ARGS=(pi)
# EDIT: launcher options, e.g. "-v" to print the plan and each step, "--dry-run", "--threads 2",
# "--jvm-opt=-Xmx2g"
SCOOP_OPTS=${SCOOP_OPTS:-}

# EDIT: make Java 17 or later available, if your site uses environment modules
# module load java/17

# exec: the launcher replaces this shell, so SGE's signals (qdel) reach it.
# shellcheck disable=SC2086
exec java -jar "$SCOOP_LAUNCHER" $SCOOP_OPTS "$APP_JAR" "${APP_ARGS[@]}"
