"""A cheap Hydra app for tests: a known objective, an optional failure, an optional metrics file,
an optional sleep."""

import json
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig


@hydra.main(version_base=None, config_path=".", config_name="toy")
def main(cfg: DictConfig) -> dict[str, float]:
    if cfg.sleep:  # odd-numbered jobs sleep 4x as long: a batch of two stays half done for a while
        time.sleep(cfg.sleep * (4 if HydraConfig.get().job.num % 2 else 1))
    if cfg.fail_on is not None and cfg.x == cfg.fail_on:
        raise ValueError(f"x={cfg.x} is <not> allowed")
    loss = (cfg.x - 2) ** 2 + (0.5 if cfg.flag else 0.0) + cfg.optimizer.lr + 0.01 * cfg.seed
    metrics = {"loss": loss, "acc": 1.0 / (1.0 + loss)}
    if cfg.metrics_file:
        Path(HydraConfig.get().runtime.output_dir, cfg.metrics_file).write_text(json.dumps(metrics))
    return metrics


if __name__ == "__main__":
    main()
