# Plots of bench/reproduce.sh (run in the results folder): detection rate, time to detect, exec/s.
set terminal pngcairo size 1200,600 font "sans,10"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key outside right top vertical autotitle columnheader
set bmargin 11
set xtics rotate by -35 noenhanced
set grid ytics

set output "detection_rate.png"
set title "Planted bugs: runs that found the bug (%)"
set yrange [0:105]
set ylabel "% of runs"
plot for [c=2:*] "detection_rate.dat" using c:xtic(1)

set output "time_to_detect.png"
set title "Median time to the first report (s, runs that found the bug; missing = never found)"
set yrange [0.01:*]
set logscale y
set ylabel "seconds (log)"
plot for [c=2:*] "time_to_detect.dat" using c:xtic(1)

rows = system("awk 'END { print NR }' execs.dat 2>/dev/null") + 0
if (rows > 1) {
  set output "execs.png"
  set title "exec/s of every fuzzer by mode (clean builds)"
  set ylabel "executions / s (log)"
  set yrange [1:*]
  plot for [c=2:*] "execs.dat" using c:xtic(1)
}
