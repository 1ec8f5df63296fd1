"""A Hydra app that returns what Optuna's sweeper needs: one accuracy (or a list of objectives)."""

import json
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig


@hydra.main(version_base=None, config_path=".", config_name="classify")
def main(cfg: DictConfig):
    accuracy = 0.95 - (cfg.x - 0.3) ** 2 - (0.05 if cfg.solver == "adam" else 0.0)
    if cfg.metrics_file:  # as an app run without the recording callback keeps its own record
        metrics = {"loss": round(1 - accuracy, 4), "val_accuracy": round(accuracy, 4), "epochs": 10}
        Path(HydraConfig.get().runtime.output_dir, cfg.metrics_file).write_text(json.dumps(metrics))
    if cfg.returns == "list":
        return [accuracy, cfg.x * 10]
    if cfg.returns == "dict":
        return {"accuracy": accuracy, "epochs": 10}
    if cfg.returns == "nothing":
        return None
    return accuracy


if __name__ == "__main__":
    main()
