"""Statistics on the collected runs; plain typed data out, nothing drawn or formatted as a page."""
