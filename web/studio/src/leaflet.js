// Leaflet as a global first: the Geoman plug-in extends the global L when it loads.
import L from "leaflet";

window.L = L;
export default L;
