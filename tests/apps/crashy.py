"""A Hydra app that crashes in part of its space: every run with x above 0.75 raises."""

import hydra
from omegaconf import DictConfig


@hydra.main(version_base=None, config_path=None, config_name=None)
def main(cfg: DictConfig) -> float:
    if cfg.x > 0.75:
        raise FloatingPointError(f"loss diverged at x={cfg.x}")
    return (cfg.x - 0.4) ** 2 + (cfg.y - 0.3) ** 2


if __name__ == "__main__":
    main()
