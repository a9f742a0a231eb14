# ratios.gnuplot - the Savina speed-ups as bars (run.sh calls it with
#   data = file of lines "workload alox_vs_caf alox_vs_erlang alox_vs_go", out = PNG,
#   title = chart title).
set terminal pngcairo size 900,500 font ",11" noenhanced
set output out
set title title
set style data histograms
set style histogram clustered gap 1
set xtics rotate by -30
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "speed-up of Alox (their time / Alox time), log scale"
# The speed-ups run from below 1 (remote ping-pong against Erlang) to about
# 100 (creation); bars start at 0.1 so one below 1 shows, under the red line.
set logscale y
set yrange [0.1:*]
set grid ytics
set key top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lw 2 lc rgb "#aa0000"
plot data using 2:xtic(1) title "Alox / CAF" lc rgb "#3366cc", \
     ''   using 3 title "Alox / Erlang" lc rgb "#ff9900", \
     ''   using 4 title "Alox / Go" lc rgb "#33aa55"
