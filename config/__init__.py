"""Deployment configuration: settings from the environment and the data files a deployment edits."""
