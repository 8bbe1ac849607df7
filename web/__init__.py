"""The web app: one-click link pages (GET shows, POST acts) and a health check."""
