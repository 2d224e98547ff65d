"""Edits of a map: the operations, regrouping, and the one function that commits a version."""
