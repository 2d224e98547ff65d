"""Rendering a topic map: Plotly figures and CSV exports, pure functions of a :class:`TopicMap`.

Shared by the API (which serves them) and the command line (which writes them), so neither side
imports the other. Imports plotly and the contract only: no pipeline, no Redis.
"""
