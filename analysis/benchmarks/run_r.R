# R survey's runner: Rscript run_r.R DATA.csv CALLS OUT.json [OPERATION ...]
# The same operations and result order as analysis/benchmarks/operations.py; R reads the CSV
# twin of the Parquet file (no arrow here). Peak memory: the process's max RSS from /proc.
suppressPackageStartupMessages({library(survey); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
calls <- as.integer(args[2])
wanted <- if (length(args) > 3) args[4:length(args)] else
  c("design", "mean", "domains", "crosstab", "logistic", "median")
df <- read.csv(args[1], colClasses = c(stratum = "integer", psu = "integer", dom = "character",
                                       r2 = "character", c5 = "character"))
df$dom <- factor(df$dom); df$r2 <- factor(df$r2); df$c5 <- factor(df$c5)

timed <- function(fn) {
  times <- numeric(calls)
  for (i in seq_len(calls)) { t0 <- proc.time()[["elapsed"]]; res <- fn(); times[i] <- proc.time()[["elapsed"]] - t0 }
  list(result = res, times = times)
}
peak_mb <- function() {
  s <- readLines("/proc/self/status"); v <- grep("^VmHWM", s, value = TRUE)
  as.numeric(gsub("[^0-9]", "", v)) / 1024
}
d <- timed(function() svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = df, nest = TRUE))
des <- d$result
steps <- list(
  mean = function() { m <- svymean(~y, des); c(coef(m), SE(m)) },
  domains = function() { m <- svyby(~y, ~dom, des, svymean); as.vector(t(cbind(coef(m), SE(m)))) },
  crosstab = function() {
    m <- svymean(~interaction(r2, c5), des)
    x <- svychisq(~r2 + c5, des, statistic = "F")
    c(coef(m), SE(m), x$statistic, x$parameter[["ndf"]], x$parameter[["ddf"]], x$p.value)
  },
  logistic = function() {
    g <- svyglm(b ~ x1 + x2 + x3 + x4, des, family = quasibinomial())
    c(coef(g), SE(g))
  },
  median = function() {
    q <- svyquantile(~y, des, 0.5, ci = TRUE)$y
    c(q[1, "quantile"], q[1, "ci.2.5"], q[1, "ci.97.5"], q[1, "se"])
  }
)
report <- list(times = list(design = d$times), results = list(design = numeric(0)))
for (name in setdiff(wanted, "design")) {
  r <- timed(steps[[name]])
  report$times[[name]] <- r$times
  report$results[[name]] <- unname(as.numeric(r$result))
}
report$peak_mb <- peak_mb()
writeLines(toJSON(report, digits = NA, auto_unbox = FALSE), args[3])
