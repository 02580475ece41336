// How ambience layers look on the map: drawn by the sound objects' layers (a glyph where the
// area is, a handle on a circle's edge) in the ambience's own colour, the area filled.
export const AMBIENCE_COLOURS = { idle: "#1d6fa5", selected: "#b5541c" };

export const AMBIENCE_STYLE = { colours: AMBIENCE_COLOURS, glyph: "≈", icon: "sound-icon ambience-icon", dashArray: null, fillOpacity: 0.12 };
