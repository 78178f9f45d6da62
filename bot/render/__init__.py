"""Replies as platform-neutral views (Markdown text in titled sections), and the splitting every
platform needs to stay under its message limits."""
