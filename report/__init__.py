"""Turn a Hydra multirun directory into one self-contained HTML report."""
