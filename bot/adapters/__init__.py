"""Thin adapters: Slack, Discord and the console translate payloads in and views out, nothing else."""
