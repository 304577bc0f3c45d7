#!/usr/bin/env bash
# Sourced by scripts/e2e-cluster.sh: the host state the end-to-end cluster touches, and how it is
# put back. Everything lives under fixed roots, so a crashed run is found and swept by the next one:
#   $E2E_RUN   runtime state (sockets, runc roots, pid files, pod network namespaces)
#   $E2E_DATA  disk state (containerd roots, kubelet roots, logs, the saved sysctls)
# Processes are ended by the pid their pid file recorded, after checking /proc says it still runs
# the binary we started; containers by their id in our own runc roots. Nothing is killed by name.

E2E_RUN=/run/ferrolb-e2e
E2E_DATA=/var/lib/ferrolb-e2e
E2E_PREFIX=fe2e
# What the kubelet (protectKernelDefaults: false) and kube-proxy may change on the host.
E2E_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.netfilter.nf_conntrack_max)
E2E_CGROUP_CONTROLLERS=(cpu cpuacct cpuset memory devices freezer blkio pids systemd hugetlb net_cls net_prio perf_event rdma misc)

log() { echo "e2e-cluster: $*" >&2; }

save_sysctls() {
  [[ -f "$E2E_DATA/sysctls.saved" ]] && return 0
  mkdir -p "$E2E_DATA"
  local name value
  for name in "${E2E_SYSCTLS[@]}"; do
    value="$(sysctl -n "$name" 2>/dev/null)" && echo "$name=$value"
  done >"$E2E_DATA/sysctls.saved.partial"
  mv "$E2E_DATA/sysctls.saved.partial" "$E2E_DATA/sysctls.saved"
}

restore_sysctls() {
  [[ -f "$E2E_DATA/sysctls.saved" ]] || return 0
  local line
  while IFS= read -r line; do sysctl -q -w "$line" >/dev/null || log "could not restore $line"; done \
    <"$E2E_DATA/sysctls.saved"
  rm -f "$E2E_DATA/sysctls.saved"
}

# start_process <name> <netns> <binary> [args...]: in the background, in that network namespace
# only (the host's mount namespace), logging to $E2E_DATA/logs/<name>.log.
start_process() {
  local name="$1" netns="$2" binary="$3"
  shift 3
  mkdir -p "$E2E_RUN/pids" "$E2E_DATA/logs"
  setsid nsenter --net="/run/netns/$netns" -- "$binary" "$@" \
    </dev/null >>"$E2E_DATA/logs/$name.log" 2>&1 &
  printf '%s\n%s\n' "$!" "$binary" >"$E2E_RUN/pids/$name"
}

# verified_pid <pid file>: the pid if it still runs the binary recorded beside it.
verified_pid() {
  local pid binary
  { read -r pid && read -r binary; } <"$1" || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == "$binary"* ]] && echo "$pid"
}

# stop_process <name> [signal]: TERM (or the signal given), KILL after 10 s.
stop_process() {
  local file="$E2E_RUN/pids/$1" pid waited=0
  [[ -f "$file" ]] || return 0
  if pid="$(verified_pid "$file")"; then
    kill "-${2:-TERM}" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_all_processes() {
  local file
  for file in "$E2E_RUN"/pids/*; do [[ -f "$file" ]] && stop_process "$(basename "$file")" KILL; done
  return 0
}

# Shims outlive a killed containerd; ours name our socket on their command line.
kill_shims() {
  local cmdline_file pid
  for cmdline_file in $(grep -alF -- "$E2E_RUN/" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid="${cmdline_file#/proc/}" && pid="${pid%/cmdline}"
    if tr '\0' ' ' <"$cmdline_file" 2>/dev/null | grep -q -- "^[^ ]*containerd-shim-runc-v2 .*-address $E2E_RUN/"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# kill_containers <runc root>: every container runc knows under our root, by id.
kill_containers() {
  local root="$1" id
  [[ -d "$root" ]] || return 0
  for id in $(runc --root "$root" list -q 2>/dev/null); do
    runc --root "$root" kill "$id" KILL 2>/dev/null || true
    runc --root "$root" delete --force "$id" 2>/dev/null || true
  done
}

# create_cgroup <name>: the node's cgroupRoot in every v1 controller (cpuset needs cpus and mems).
create_cgroup() {
  local controller directory
  for controller in "${E2E_CGROUP_CONTROLLERS[@]}"; do
    directory="/sys/fs/cgroup/$controller"
    [[ -d "$directory" ]] || continue
    mkdir -p "$directory/$1"
    if [[ "$controller" == cpuset ]]; then
      cat "$directory/cpuset.cpus" >"$directory/$1/cpuset.cpus"
      cat "$directory/cpuset.mems" >"$directory/$1/cpuset.mems"
    fi
  done
  [[ -d /sys/fs/cgroup/unified ]] && mkdir -p "/sys/fs/cgroup/unified/$1"
  # A pure cgroup v2 host (not this VM's kind; untested here): one directory in the unified tree.
  [[ -f /sys/fs/cgroup/cgroup.controllers ]] && mkdir -p "/sys/fs/cgroup/$1"
  return 0
}

# remove_cgroups: every cgroup under our prefix, deepest first, after killing what is left in it.
remove_cgroups() {
  local directory pid
  for directory in $(find /sys/fs/cgroup/"$E2E_PREFIX"-* /sys/fs/cgroup/*/"$E2E_PREFIX"-* -depth -type d 2>/dev/null); do
    if [[ -f "$directory/cgroup.procs" ]]; then
      while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$directory/cgroup.procs"
    fi
    rmdir "$directory" 2>/dev/null || { sleep 0.2; rmdir "$directory" 2>/dev/null; } ||
      log "cgroup $directory still busy"
  done
  return 0
}

# unmount_all: every mount point under our roots, deepest first.
unmount_all() {
  local point
  for point in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($E2E_RUN|$E2E_DATA)/" | sort -r); do
    umount -l "$point" 2>/dev/null || log "could not unmount $point"
  done
  return 0
}

remove_namespaces() {
  local name
  for name in $(ip netns list | awk '{print $1}' | grep "^$E2E_PREFIX-"); do ip netns delete "$name"; done
  # containerd also pins each pod sandbox's namespace as /run/netns/cni-*, despite netns_mounts_under;
  # once our containers are killed nothing runs in them. One that still holds a process is not ours.
  for name in $(ip netns list | awk '{print $1}' | grep '^cni-'); do
    [[ -z "$(ip netns pids "$name" 2>/dev/null)" ]] && ip netns delete "$name"
  done
  rm -f /var/lib/cni/results/"$E2E_PREFIX"-* 2>/dev/null
  return 0
}
