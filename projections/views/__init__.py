"""The views: what each read model is, and the evolve functions that keep it."""
