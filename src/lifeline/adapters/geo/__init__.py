"""Location resolution: district polygons, PINs, a cross-script gazetteer, phone areas and the
jurisdiction registry, combined by `GeoLocator` (see docs/location.md)."""
