# faultsim breakdown plot, written by `faultsim plot --kind breakdown`:
# where the simulated time of an average fault went, as stacked bars.
# @DAT@: one row per group, its label, then the time per fault by category, in the axis's unit.
# Run `gnuplot @OUT@.gp` to redraw.
set title "@TITLE@" noenhanced
set ylabel "@YLABEL@" noenhanced
set xlabel "@XLABEL@" noenhanced
set key outside right noenhanced
set grid y
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -30 noenhanced
set terminal pngcairo size 1100,650 font "sans,11"
set output "@OUT@.png"
plot for [i=3:@NCOLS@] "@DAT@" using i:xtic(2) title columnheader(i)
set terminal svg size 1100,650 dynamic font "sans,11"
set output "@OUT@.svg"
replot
