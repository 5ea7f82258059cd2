# faultsim MAX_TRY plot, written by `faultsim plot --kind maxtry`: the
# trade-off of the speculative fault's trylock bound, one panel each for
# throughput, the share of speculative faults that fell back, and the
# worst time a CPU spent in pte_map_lock()'s IRQs-off loop.
# @DAT@: one block per series: position, MAX_TRY, then mean and 95% CI of
# each of the three.  Run `gnuplot @OUT@.gp` to redraw.
set key outside right top noenhanced box
set grid
set xrange [-0.5:@NX@-0.5]
set xtics (@XTICS@)
set xlabel "@XLABEL@" noenhanced
set terminal pngcairo size @WIDTH@,1100 font "sans,11"
set output "@OUT@.png"
load "@OUT@.panels"
set terminal svg size @WIDTH@,1100 dynamic font "sans,11"
set output "@OUT@.svg"
load "@OUT@.panels"
