# Shared helpers for scripts/*. Source it; it changes nothing by itself.

# Swift lives in /opt/swift on our machines; make sure it is on PATH.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    PATH="/opt/swift/usr/bin:$PATH"
fi

log() { printf '==> %s\n' "$*" >&2; }

# ensure_packages PKG...: installs the Debian packages that are missing (apt-get update once).
# Needs root; otherwise says exactly what to install and fails.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
        return 1
    fi
    log "installing ${missing[*]}"
    if [ -z "${PLEXUS_APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        export PLEXUS_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_packages_stopped PKG...: like ensure_packages, but daemons the packages ship (gmond,
# gmetad, rrdcached) are not started by the install: tests start their own copies on their own
# ports and stop them by PID.
ensure_packages_stopped() {
    local policy=/usr/sbin/policy-rc.d created=
    if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod +x "$policy"
        created=1
    fi
    local status=0
    ensure_packages "$@" || status=$?
    [ -n "$created" ] && rm -f "$policy"
    return $status
}
