# faultsim latency plot, written by `faultsim plot --kind latency`.
# @DAT@ holds one block per series: percentile rank, label, latency (in
# the axis's unit, mean across seeds), 95% CI half-width.  Past eight
# series, the series are faceted into panels of eight.  Run
# `gnuplot @OUT@.gp` to redraw.
set title "@TITLE@" noenhanced
set xlabel "percentile" noenhanced
set ylabel "@YLABEL@" noenhanced
set key outside right top noenhanced box
set grid
set logscale y 10
set format y "%g"
@YRANGE@
set xrange [-0.5:4.5]
set terminal pngcairo size 1000,@HEIGHT@ font "sans,11"
set output "@OUT@.png"
@PLOT@
set terminal svg size 1000,@HEIGHT@ dynamic font "sans,11"
set output "@OUT@.svg"
@PLOT@
