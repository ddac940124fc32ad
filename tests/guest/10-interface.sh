#!/bin/bash
# The target's interface: table line, status, messages, list, debugfs,
# events, several devices, table reload keeping remaps, growing the spare.
# Volatile tables, so spare unit k is spare sector k * unit exactly; the
# on-disk metadata has its own test (50-persistence.sh).
source "$(dirname "$0")/lib.sh"

main=$(new_loop 16)
spare=$(new_loop 4)
mm=$(lsblk -dno MAJ:MIN "$main" | tr -d ' ')
sm=$(lsblk -dno MAJ:MIN "$spare" | tr -d ' ')
len=$(sectors "$main")
dbg=/sys/kernel/debug/dm_remap/remap_table

log "create: default unit is the main device's physical block size (512 on loop)"
dm_create r1 "0 $len remap $main 0 $spare 0 8192 1 volatile"
expect_eq "table" "$(dmsetup table r1)" "0 $len remap $mm 0 $sm 0 8192 1 volatile"
expect_eq "status" "$(dmsetup status r1)" "0 $len remap 1 0 0/8192 0 volatile 0 0 0 0 0 0 auto_remap ok 0 idle 0 0 0 0 0 0 0 0 0"
expect_eq "list, empty" "$(msg r1 list)" ""

log "remap one sector: lands on spare unit 0"
ev0=$(dmsetup info -c --noheadings -o events r1)
msg r1 remap 100
expect_eq "list" "$(msg r1 list)" "100 0 1"
expect_eq "status" "$(dmsetup status r1)" "0 $len remap 1 1 1/8192 0 volatile 0 1 0 0 0 0 auto_remap ok 0 idle 0 0 0 0 0 0 0 0 0"
expect_eq "debugfs" "$(grep '^r1 ' $dbg)" "r1 100 0 1"
ev1=$(dmsetup info -c --noheadings -o events r1)
((ev1 > ev0)) || fail "no table event after remap ($ev0 -> $ev1)"

log "remapping it again is refused and changes nothing"
expect_refused "remap twice" "already remapped" msg r1 remap 100
expect_eq "status after refusal" "$(dmsetup status r1)" "0 $len remap 1 1 1/8192 0 volatile 0 1 0 0 0 0 auto_remap ok 0 idle 0 0 0 0 0 0 0 0 0"
ev2=$(dmsetup info -c --noheadings -o events r1)
expect_eq "no event for a refused message" "$ev2" "$ev1"

log "range form: 16 sectors from 200"
msg r1 remap 200 16
expect_eq "remapped" "$(field_of r1 remapped_units)" 17
expect_eq "list line 2" "$(msg r1 list | sed -n 2p)" "200 1 1"
expect_eq "list line 17" "$(msg r1 list | sed -n 17p)" "215 16 1"

log "unremap one, then a range; unremapping a plain sector is refused"
msg r1 unremap 100
expect_refused "unremap plain" "is not remapped" msg r1 unremap 100
expect_refused "unremap partly plain range" "is not remapped" msg r1 unremap 214 4
expect_eq "remapped" "$(field_of r1 remapped_units)" 16
msg r1 unremap 200 4
expect_eq "remapped" "$(field_of r1 remapped_units)" 12
expect_eq "spare used" "$(field_of r1 spare)" "12/8192"

log "the freed spare units are handed out again, lowest first"
msg r1 remap 5000
expect_eq "list line 1" "$(msg r1 list | head -1)" "204 5 1"
expect_eq "new remap takes the lowest free spare unit" "$(msg r1 list | grep '^5000 ')" "5000 0 1"

log "table reload keeps the remaps, a larger spare_len grows the pool"
before=$(msg r1 list)
dmsetup reload r1 --table "0 $len remap $main 0 $spare 0 8192 1 volatile"
dmsetup resume r1
expect_eq "list after reload" "$(msg r1 list)" "$before"
dmsetup suspend r1 && dmsetup resume r1
expect_eq "list after suspend/resume" "$(msg r1 list)" "$before"
truncate -s 8M "$(losetup -nO BACK-FILE "$spare")"
losetup -c "$spare"
dmsetup reload r1 --table "0 $len remap $main 0 $spare 0 16384 1 volatile"
dmsetup resume r1
expect_eq "spare after growing" "$(field_of r1 spare)" "13/16384"
expect_eq "list after growing" "$(msg r1 list)" "$before"
expect_refused "shrink below a used unit" "below a spare unit in use" \
	dmsetup reload r1 --table "0 $len remap $main 0 $spare 0 2 1 volatile"
dmsetup reload r1 --table "0 $len remap $main 0 $spare 0 4096 1 volatile"
dmsetup resume r1
expect_eq "shrink above the used units" "$(field_of r1 spare)" "13/4096"

log "clear unremaps everything"
msg r1 clear
expect_eq "status after clear" "$(dmsetup status r1)" "0 $len remap 1 0 0/4096 0 volatile 0 18 0 0 0 0 auto_remap ok 0 idle 0 0 0 0 0 0 0 0 0"
expect_eq "debugfs after clear" "$(grep -c '^r1 ' $dbg || true)" 0

log "unit_sectors feature: 4 KiB units"
main2=$(new_loop 8)
spare2=$(new_loop 1)
mm2=$(lsblk -dno MAJ:MIN "$main2" | tr -d ' ')
sm2=$(lsblk -dno MAJ:MIN "$spare2" | tr -d ' ')
dm_create r2 "0 16384 remap $main2 0 $spare2 8 16 3 unit_sectors 8 volatile"
expect_eq "table with features" "$(dmsetup table r2)" "0 16384 remap $mm2 0 $sm2 8 16 3 unit_sectors 8 volatile"
expect_eq "status" "$(dmsetup status r2)" "0 16384 remap 8 0 0/2 0 volatile 0 0 0 0 0 0 auto_remap ok 0 idle 0 0 0 0 0 0 0 0 0"
msg r2 remap 13
expect_eq "unit holding sector 13" "$(msg r2 list)" "8 8 8"
msg r2 remap 16383
expect_eq "last unit" "$(msg r2 list | tail -1)" "16376 16 8"
expect_refused "spare pool full" "spare pool has 0 free units" msg r2 remap 100
expect_eq "status when full" "$(dmsetup status r2)" "0 16384 remap 8 2 2/2 0 volatile 0 2 0 0 0 0 auto_remap ok 0 idle 0 0 0 0 0 0 0 0 0"

log "debugfs shows both devices, each line with its name"
msg r1 remap 7
expect_eq "r1 lines" "$(grep -c '^r1 ' $dbg)" 1
expect_eq "r2 lines" "$(grep -c '^r2 ' $dbg)" 2
expect_eq "all lines" "$(wc -l < $dbg)" 3
dmsetup remove r2
forget_dm r2
expect_eq "after removing r2" "$(cat $dbg)" "r1 7 0 1"
dmsetup rename r1 r1b
_dms=("${_dms[@]/r1/r1b}")
expect_eq "after rename" "$(cat $dbg)" "r1b 7 0 1"
echo "interface: ok"
