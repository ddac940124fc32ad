#!/bin/bash
# "make demo": install what is missing, build the module, boot Debian's
# kernel in QEMU (TCG) and run scripts/demo-guest.sh there.  No host device
# is touched: the guest's loop devices live in the guest's own tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ ${SKIP_SETUP:-0} == 1 ]] || EXTRA_PACKAGES="gcc make libc6-dev" tests/vm/setup.sh
make -s all
exec tests/vm/vm-run.sh --timeout 900 -- "$PWD/scripts/demo-guest.sh"
