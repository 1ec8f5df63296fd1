"""A Hydra sweeper backed by scikit-optimize: random search and Bayesian optimisation."""
