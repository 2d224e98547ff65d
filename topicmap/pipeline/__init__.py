"""The topic-modelling pipeline: embed → reduce → cluster → label → layout → score."""
