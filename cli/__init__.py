"""The ``topicmap`` command line: a shell over the core (no server needed)."""
