#!/usr/bin/env Rscript
# The R side of bench/analysis-two-arm.bench.ts: the two-arm tests msct computes, on the same data.
# Usage: Rscript bench/r/analysis-two-arm.R DATA.csv
# DATA.csv: one row per patient: arm (control/msct), change (SLEDAI-2K change, integer: many ties),
# c3 (continuous), response (0/1), time, event. Prints the seconds spent on the tests only (reading
# the CSV is not timed) and each result at 17 digits so the bench can compare the two sides.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
x <- d$arm == "msct"; y <- !x
arm <- factor(d$arm, levels = c("control", "msct"))
t0 <- proc.time()[["elapsed"]]
welch <- t.test(d$c3[x], d$c3[y])
student <- t.test(d$c3[x], d$c3[y], var.equal = TRUE)
wil <- wilcox.test(d$change[x], d$change[y])
tab <- matrix(c(sum(d$response[x]), sum(d$response[y]), sum(1 - d$response[x]), sum(1 - d$response[y])), 2)
pt <- prop.test(tab[, 1], rowSums(tab))
fi <- fisher.test(tab)
cs <- chisq.test(tab)
lr <- survdiff(Surv(d$time, d$event) ~ arm)
cx <- coxph(Surv(d$time, d$event) ~ arm, ties = "efron")
elapsed <- proc.time()[["elapsed"]] - t0
cat(sprintf("seconds %.6f\n", elapsed))
v <- c(welch = welch$p.value, student = student$p.value, wilcoxon = wil$p.value, prop = pt$p.value,
       fisher = fi$p.value, fisherOR = unname(fi$estimate), chisq = cs$p.value, logrank = lr$chisq,
       coxHR = unname(exp(coef(cx))))
for (k in names(v)) cat(sprintf("value %s %.17g\n", k, v[[k]]))
