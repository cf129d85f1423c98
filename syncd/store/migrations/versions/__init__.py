"""Migration scripts, one per schema change, each hand-reviewed after autogenerate."""
