#!/bin/sh
# Installs Debian's PostgreSQL server binaries for the tests and benches when
# they are missing. Idempotent: does nothing when initdb is found. Only the
# binaries are wanted: the tests run private clusters in temporary folders,
# so the package's own system-wide cluster is neither needed nor touched.
set -eu
found() {
  command -v initdb >/dev/null 2>&1 && return 0
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && return 0
  for bin in /usr/lib/postgresql/*/bin/initdb; do [ -x "$bin" ] && return 0; done
  return 1
}
if found; then
  echo "install-postgresql: PostgreSQL binaries already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-postgresql: PostgreSQL is missing and this user cannot install it; run as root: apt-get update && apt-get install -y postgresql" >&2
    exit 1
  fi
else SUDO=; fi
echo "install-postgresql: PostgreSQL missing; running apt-get update (about a minute)..."
$SUDO apt-get update -q
echo "install-postgresql: apt-get install -y postgresql (a minute or two)..."
# policy-rc.d 101 keeps the package from starting its system-wide cluster's service.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends postgresql
found && echo "install-postgresql: installed"
