#!/bin/bash
# timeout: 300
# Crash consistency of the scrub checkpoint (issue 13): replayed at every
# write while a scrub checkpoints periodically, at pause, resume and
# cancel, and while a pass runs at removal (lib-scrub-replay.sh says what
# every prefix must satisfy).  79-scrub-replay-relocate does the same for
# the scrub's relocations and metadata repair.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib-scrub-replay.sh"

srp_setup
srp_mark 0
# 1: a slow scrub, checkpointed every 5 s, paused.
msg rc scrub_rate 256
msg rc scrub start
sleep 6
msg rc scrub pause
(($(stat_of rc scrub_position) > 0)) || fail "the scrub did not move"
srp_mark 1
# 2: resumed, then cancelled.
msg rc scrub resume
msg rc scrub cancel
srp_mark 2
# 3: a whole pass, running at the end (a remove checkpoints it).
msg rc scrub_rate 1024
msg rc scrub start
srp_mark 3
srp_replay 8 4
