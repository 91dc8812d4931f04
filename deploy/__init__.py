"""Production deployment: Rasa stores that survive backend outages, local stack, Helm values."""
