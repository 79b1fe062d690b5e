"""Console adapter: a simulated community in the terminal (the embedded default)."""
