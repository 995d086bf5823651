#!/bin/bash
# A throw-away Grid Engine cell for the "sched" tests, as root, from Debian's gridengine packages: sge_qmaster on
# this machine and NODES exec hosts node1..nodeN, each sge_execd in its own network namespace (a veth on a
# private bridge), UTS namespace (hostname nodeX) and mount namespace (a hosts file that names everything).
# So `qrsh -inherit node2 ...` really crosses to another network stack. Every file lives under DIR.
#
#   sge-up.sh DIR NODES TAG QMASTER_PORT      then: . DIR/env.sh;      sge-down.sh DIR ends it
#
# TAG (1-99) keeps the names and the subnet apart from another cell on this machine: bridge sgebrTAG, namespaces
# scoop-sge-TAG-I, veths sgevTAG-I, subnet 10.79.TAG.0/24 (the bridge .1, nodeI .(10+I)). The queue all.q has
# 2 slots per host; the parallel environment mpi spreads slots round robin and lets the job start its own tasks
# (control_slaves TRUE: qrsh -inherit). Load thresholds are off, or a busy 2-core machine never starts a job.
set -euo pipefail
dir=${1:?usage: sge-up.sh DIR NODES TAG QMASTER_PORT}; nodes=${2:-3}; tag=${3:-1}; port=${4:-16444}
me=$(hostname)
net=10.79.$tag
if [ -z "${SGE_UP_INNER:-}" ]; then
  mkdir -p "$dir"
  { echo "127.0.0.1 localhost $me"; for i in $(seq 1 "$nodes"); do echo "$net.$((10+i)) node$i"; done; } > "$dir/hosts.master"
  { echo "127.0.0.1 localhost"; echo "$net.1 $me"; for i in $(seq 1 "$nodes"); do echo "$net.$((10+i)) node$i"; done; } > "$dir/hosts.node"
  echo "sgebr$tag" > "$dir/links"
  ip link add "sgebr$tag" type bridge
  ip addr add "$net.1/24" dev "sgebr$tag"
  ip link set "sgebr$tag" up
  for i in $(seq 1 "$nodes"); do
    ns=scoop-sge-$tag-$i
    ip netns add "$ns"; echo "netns $ns" >> "$dir/links"
    ip link add "sgev$tag-$i" type veth peer name eth0 netns "$ns"; echo "sgev$tag-$i" >> "$dir/links"
    ip link set "sgev$tag-$i" master "sgebr$tag" up
    ip -n "$ns" addr add "$net.$((10+i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
  # The rest in a mount namespace of its own, where /etc/hosts names the nodes for the qmaster.
  exec unshare --mount env SGE_UP_INNER=1 "$0" "$@"
fi
mount --bind "$dir/hosts.master" /etc/hosts
export SGE_ROOT=$dir/root SGE_CELL=default SGE_QMASTER_PORT=$port SGE_EXECD_PORT=$((port+1))
export PATH=/usr/lib/gridengine:$PATH   # the /usr/bin/q* wrappers are slow
common=$SGE_ROOT/default/common
mkdir -p "$common" "$dir"/spool/{qmaster,execd,db} "$dir"/tmpl/{adminhosts,submithosts}
for d in bin lib utilbin util; do ln -sfn "/var/lib/gridengine/$d" "$SGE_ROOT/$d"; done
echo "export SGE_ROOT=$SGE_ROOT SGE_CELL=default SGE_QMASTER_PORT=$port SGE_EXECD_PORT=$((port+1)) PATH=/usr/lib/gridengine:\$PATH" > "$dir/env.sh"
cat > "$common/bootstrap" <<CONF
admin_user              none
default_domain          none
ignore_fqdn             true
spooling_method         berkeleydb
spooling_lib            libspoolb
spooling_params         $dir/spool/db
binary_path             /usr/sbin
qmaster_spool_dir       $dir/spool/qmaster
security_mode           none
listener_threads        2
worker_threads          2
scheduler_threads       1
CONF
echo "$me" > "$common/act_qmaster"
# Every name of this machine (127.0.0.1 resolves back to "localhost") is the one qmaster host.
echo "$me localhost $(getent hosts 127.0.0.1 | cut -d' ' -f2- | tr -s ' ')" > "$common/host_aliases"
# Root may run jobs (min_uid 0); jobs start under sh, not a login shell that reads root's profile.
sed -e "s|^execd_spool_dir .*|execd_spool_dir $dir/spool/execd|" -e 's/^min_uid .*/min_uid 0/' \
    -e 's/^min_gid .*/min_gid 0/' -e 's/^load_report_time .*/load_report_time 00:00:05/' \
    -e 's/^login_shells .*/login_shells sh/' /usr/share/gridengine/default-configuration > "$dir/tmpl/configuration"
for h in "$me" $(seq -f node%g 1 "$nodes"); do
  echo "hostname $h" > "$dir/tmpl/adminhosts/$h"; echo "hostname $h" > "$dir/tmpl/submithosts/$h"
done
tools=/usr/lib/gridengine
"$tools/spoolinit" berkeleydb libspoolb "$dir/spool/db" init
"$tools/spooldefaults" configuration "$dir/tmpl/configuration"
"$tools/spooldefaults" complexes /usr/share/gridengine/util/resources/centry
"$tools/spooldefaults" usersets /usr/share/gridengine/util/resources/usersets
"$tools/spooldefaults" managers root
"$tools/spooldefaults" adminhosts "$dir/tmpl/adminhosts"
"$tools/spooldefaults" submithosts "$dir/tmpl/submithosts"
/usr/sbin/sge_qmaster
until qconf -sh >/dev/null 2>&1; do sleep 0.25; done
# qconf -a*/-m* run $EDITOR on a file: this one sets the "key value" lines of $SET in it.
printf '#!/bin/sh\nprintf "%%s\\n" "$SET" | while read -r k v; do sed -i "s|^$k .*|$k $v|" "$1"; done\n' > "$dir/set-editor"
chmod +x "$dir/set-editor"; export EDITOR=$dir/set-editor
SET='schedule_interval 0:0:1
flush_submit_sec 1
flush_finish_sec 1' qconf -msconf
SET='slots 999
allocation_rule $round_robin
control_slaves TRUE
job_is_first_task FALSE' qconf -ap mpi
for i in $(seq 1 "$nodes"); do
  ip netns exec "scoop-sge-$tag-$i" unshare --uts --mount sh -c \
    'hostname "$1" && mount --bind "$2" /etc/hosts && exec /usr/sbin/sge_execd' sh "node$i" "$dir/hosts.node"
done
until [ "$(qconf -sel 2>/dev/null | wc -l)" = "$nodes" ]; do sleep 0.25; done
# The nodes share this machine's /tmp: each gets a job directory of its own, or the first task to end removes
# the directory of every task of the job on the other nodes (and SGE then kills the job).
tmpdirs=/tmp
for i in $(seq 1 "$nodes"); do mkdir -p "$dir/tmp/node$i"; tmpdirs="$tmpdirs,[node$i=$dir/tmp/node$i]"; done
SET="hostlist $(seq -s' ' -f node%g 1 "$nodes")
tmpdir $tmpdirs
slots 2
pe_list mpi
shell /bin/bash
load_thresholds NONE" qconf -aq all.q
# Up when every queue instance reports in: 0 used, 0 reserved, 2 slots, an architecture, no alarm state.
for _ in $(seq 1 240); do
  [ "$(qstat -f 2>/dev/null | grep -c "all.q@.* 0/0/2 .*lx-amd64 *$")" = "$nodes" ] && exit 0
  sleep 0.25
done
echo "sge-up: the $nodes exec hosts did not come up within 60 s" >&2; qstat -f >&2 || true
exit 1
