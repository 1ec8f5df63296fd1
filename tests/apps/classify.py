"""A Hydra app that returns what Optuna's sweeper needs: one accuracy (or a list of objectives)."""

import hydra
from omegaconf import DictConfig


@hydra.main(version_base=None, config_path=".", config_name="classify")
def main(cfg: DictConfig):
    accuracy = 0.95 - (cfg.x - 0.3) ** 2 - (0.05 if cfg.solver == "adam" else 0.0)
    if cfg.returns == "list":
        return [accuracy, cfg.x * 10]
    if cfg.returns == "dict":
        return {"accuracy": accuracy, "epochs": 10}
    if cfg.returns == "nothing":
        return None
    return accuracy


if __name__ == "__main__":
    main()
