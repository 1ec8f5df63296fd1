"""The sweep side: the demo Hydra app and the callback that records each job's result."""
