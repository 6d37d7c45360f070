#!/usr/bin/env Rscript
# The R side of bench/analysis.bench.ts: the same statistics msct computes, on the same data.
# Usage: Rscript bench/r/analysis.R DATA.csv
# DATA.csv: one row per patient; sledai_<t> and c3_<t> for t in D0 M1 M3 M6 M9 M12 (empty = missing);
# time, event (overall survival). Prints the seconds spent on the statistics only (reading the CSV
# is not timed), and a checksum line so the two sides can be compared.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
tp <- c("D0", "M1", "M3", "M6", "M9", "M12")

analyse <- function(m, friedman = TRUE) {
  out <- list()
  pt <- numeric(0); pw <- numeric(0)
  for (j in seq_along(tp)) {
    x <- m[, j]; x <- x[!is.na(x)]
    # describe(): n, mean, sd, se, median, quartiles (type 7), IQR, range
    s <- c(length(x), mean(x), sd(x), sd(x) / sqrt(length(x)), median(x), quantile(x, c(.25, .75)), IQR(x), range(x))
    if (j > 1) {
      ok <- complete.cases(m[, 1], m[, j])
      d <- m[ok, j] - m[ok, 1]
      s2 <- c(mean(d), sd(d), median(d), quantile(d, c(.25, .75)), range(d))
      pt <- c(pt, t.test(m[ok, j], m[ok, 1], paired = TRUE)$p.value)
      pw <- c(pw, wilcox.test(m[ok, j], m[ok, 1], paired = TRUE)$p.value)
    }
  }
  h1 <- p.adjust(pt, "holm"); h2 <- p.adjust(pw, "holm")
  if (friedman) c(pt, pw, friedman.test(m[complete.cases(m), ])$p.value) else c(pt, pw)
}

sm <- as.matrix(d[, paste0("sledai_", tp)]); cm <- as.matrix(d[, paste0("c3_", tp)])
# Without Friedman (R's friedman.test ranks block by block with apply(): it dominates R's time).
t0 <- proc.time()[["elapsed"]]
a <- analyse(sm, FALSE)
b <- analyse(cm, FALSE)
fit <- survfit(Surv(d$time, d$event) ~ 1, conf.type = "log-log")
s <- summary(fit, times = c(30, 91, 182, 273, 365), extend = TRUE)
cat(sprintf("seconds-without-friedman %.6f\n", proc.time()[["elapsed"]] - t0))
t0 <- proc.time()[["elapsed"]]
a <- analyse(sm)
b <- analyse(cm)
fit <- survfit(Surv(d$time, d$event) ~ 1, conf.type = "log-log")
s <- summary(fit, times = c(30, 91, 182, 273, 365), extend = TRUE)
cat(sprintf("seconds %.6f\n", proc.time()[["elapsed"]] - t0))
cat(sprintf("check %.10g %.10g %.10g\n", a[1], b[6], s$surv[5]))
