"""The demo app's Hydra configs, shipped as the package `sweeps.conf`."""
