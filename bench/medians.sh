# Sourced by the benchmark scripts: medians of whitespace-separated series.

# median "1 3 2" -> 2 (the mean of the middle two for an even count)
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# ratio_median "a1 a2 …" "b1 b2 …": the median of the per-run ratios a_i / b_i, 3 decimals
ratio_median() {
    paste <(printf '%s\n' $1) <(printf '%s\n' $2) | awk '{print $1/$2}' | sort -g |
        awk '{a[NR]=$1} END {printf "%.3f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
