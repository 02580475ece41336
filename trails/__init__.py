"""Domain core of Baladeur: vocabulary, validation, geometry and the trail formats."""
