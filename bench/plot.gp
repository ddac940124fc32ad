# SPDX-License-Identifier: GPL-2.0-only
# gnuplot -e "dir='bench/results'" bench/plot.gp
# IOPS and ratio to dm-linear against the number of remapped units, one
# line per cell, for each backing kind; data from bench/report.py.
if (!exists("dir")) dir = "bench/results"
set terminal svg size 1200,900 dynamic font "sans,11" background "white"
set output dir."/fio.svg"
set termoption noenhanced
set key inside bottom left font "sans,8" opaque box
set grid ytics
set multiplot layout 2,2 title "dm-remap against dm-linear (fio, QEMU -icount, 1 vCPU)"
do for [k in "nullb brd"] {
	f = dir."/plot-".k."-iops.dat"
	# columns: remaps, then one per cell (quoted names in the header)
	n = int(system("head -n 1 ".f." | tr -cd '\"' | wc -c")) / 2 + 1
	set title (k eq "nullb" ? "null_blk (no data)" : "brd").": IOPS (median)"
	set xlabel "remapped units (scattered)"
	set ylabel "IOPS"
	set logscale y
	plot for [i=2:n] f using 0:i:xtic(1) with linespoints title columnheader(i)
	unset logscale y
	f = dir."/plot-".k."-ratio.dat"
	set title (k eq "nullb" ? "null_blk" : "brd").": ratio remap / linear"
	set ylabel "ratio"
	set yrange [0.8 < * : * < 1.3]
	plot for [i=2:n] f using 0:i:xtic(1) with linespoints title columnheader(i), \
	     0.995 with lines dt 2 lc "gray" title "goal 0 remaps", \
	     0.985 with lines dt 3 lc "black" title "goal 1k-1M remaps"
	set autoscale y
}
unset multiplot
