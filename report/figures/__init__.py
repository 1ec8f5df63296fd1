"""Figures drawn from the analysis' plain data with matplotlib; nothing here computes a statistic."""
