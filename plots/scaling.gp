# faultsim scaling plot, written by `faultsim plot --kind scaling`.
# @DAT@ holds one block per series (gnuplot index): x, mean, 95% CI
# half-width across seeds.  Past eight series, the series are faceted
# into panels of eight.  Edit and run `gnuplot @OUT@.gp` here to redraw.
set title "@TITLE@" noenhanced
set xlabel "@XLABEL@" noenhanced
set ylabel "@YLABEL@" noenhanced
set key outside right top noenhanced box
set grid
set format y "%.1s%c"
@XSCALE@
@YRANGE@
@FUNCTIONS@
set terminal pngcairo size 1000,@HEIGHT@ font "sans,11"
set output "@OUT@.png"
@PLOT@
set terminal svg size 1000,@HEIGHT@ dynamic font "sans,11"
set output "@OUT@.svg"
@PLOT@
