"""The store's fitted scorers (``ask.json``: which sentence answers, and whether any does), as
``summarizer.weights`` holds the summarizer's; fitted by ``bench/fit_ask.py``."""
