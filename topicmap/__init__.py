"""topicmap's core: the map, its pipeline, edits, views, rendering and store. Imports no shell."""
