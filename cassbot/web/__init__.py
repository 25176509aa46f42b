"""The web app: health, webhooks (mounted by adapters), the playground and public pages."""
