"""The Status page: uptime, latency and incidents per service."""
