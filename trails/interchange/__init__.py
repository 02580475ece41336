"""Moving trails in and out of other tools: GPX, GeoJSON, KML and Soundscape activities."""
