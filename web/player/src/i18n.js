// Interface texts in French and English; the visitor's choice is kept on the phone.

const TEXTS = {
  fr: {
    brand: "Baladeur",
    trails: "Parcours",
    loading: "Chargement…",
    offlineList: "Hors ligne : seuls les parcours téléchargés sont affichés.",
    noTrails: "Aucun parcours publié pour le moment.",
    sortNear: "Trier par distance",
    sortNearHelp: "Votre position reste sur ce téléphone : elle n'est jamais envoyée.",
    stops: "arrêts",
    oneStop: "arrêt",
    downloaded: "Téléchargé",
    kmAway: "à {d}",
    length: "Longueur",
    duration: "Durée d'écoute",
    languages: "Langues",
    size: "Taille du téléchargement",
    credits: "Crédits",
    download: "Télécharger pour le hors-ligne",
    downloading: "Téléchargement… {p}",
    resumed: "reprise après coupure",
    verifying: "Vérification de l'authenticité…",
    stored: "Prêt hors ligne — vérifié",
    remove: "Supprimer du téléphone",
    removed: "Parcours supprimé du téléphone.",
    storage: "Espace utilisé : {s}",
    update: "Mettre à jour ({s})",
    updated: "Mis à jour : {s} téléchargés.",
    startWalk: "Commencer la balade",
    stopWalk: "Arrêter la balade",
    walking: "Balade en cours",
    fromHome: "Écouter depuis chez moi",
    fromHomeHelp: "Pour qui ne peut pas marcher le parcours : choisissez les arrêts à écouter.",
    keepAwake: "Garder l'écran allumé pendant la balade",
    back: "Tous les parcours",
    nowPlaying: "En cours",
    nothingPlaying: "Rien ne joue. Marchez vers un arrêt.",
    waiting: "En attente : {n}",
    transcript: "Transcription",
    stopsList: "Arrêts",
    play: "Écouter",
    stop: "Arrêter",
    played: "écouté",
    playingNow: "joue",
    queued: "en attente",
    position: "Position : ±{a} m",
    noPosition: "En attente de la position GPS…",
    geoUnavailable: "Le téléphone ne donne pas de position pour le moment.",
    gps_good: "GPS : bon",
    gps_weak: "GPS : faible — la position est trop imprécise pour déclencher les récits",
    gps_lost: "GPS : perdu — aucune position récente",
    suggestManual: "Le GPS ne suffit pas ici depuis un moment. Vous pouvez écouter les arrêts à la main.",
    paused: "En pause : le son a été interrompu. Le récit reprendra là où il s'est arrêté.",
    announcePlaying: "Lecture : {s}",
    announceEnded: "Le récit est terminé.",
    geoDenied: "La localisation est refusée : autorisez-la pour la balade, ou écoutez depuis chez vous.",
    tampered: "Ce téléchargement a été refusé : il est abîmé ou a été modifié ({code}). Réessayez plus tard.",
    failed: "Le téléchargement a échoué : {m}",
    keysRefused:
      "Refusé : les clés de signature de ce serveur ont changé sans être garanties par celles que ce téléphone connaît ({code}). Le parcours pourrait ne pas venir de son éditeur ; rien n'a été téléchargé.",
    notStored: "Téléchargez le parcours pour l'écouter sans réseau.",
    offline: "Hors ligne",
    ambience: "Ambiance",
    map: "Carte",
    opensOn: "Ouvre le {d}",
    expired: "Ce parcours n'est plus disponible.",
    min: "min",
    downloadingMap: "Téléchargement du fond de carte… {p}",
    mapRefused: "Le fond de carte a été refusé : il est abîmé ou a été modifié ({code}). La balade fonctionne sans lui.",
    mapFailed: "Le fond de carte n'a pas pu être téléchargé. La balade fonctionne sans lui.",
    downloadMap: "Télécharger le fond de carte · {s}",
    resumeMap: "Reprendre le fond de carte ({p} déjà reçus)",
    guideTitle: "Prochain arrêt",
    guideWaiting: "En attente de la position pour guider vers le prochain arrêt…",
    guideDone: "Tous les arrêts ont été écoutés.",
    guideLine: "Arrêt {n} : {d}, {w}",
    beacon: "Balise sonore vers le prochain arrêt",
    spaceTitle: "Autour de vous",
    dirSource_compass: "Direction : boussole",
    dirSource_course: "Direction : sens de la marche",
    dirSource_none: "Direction : pas encore (sons au centre)",
    useCompass: "Utiliser la boussole",
    compass_waiting: "Boussole activée, en attente d'une mesure : en attendant, les sons suivent votre sens de marche.",
    compass_on: "Boussole activée : les sons tournent avec vous.",
    compass_unavailable: "Ce téléphone n'a pas de boussole : les sons suivent votre sens de marche, et restent au centre tant que vous n'avez pas marché.",
    compass_denied: "La boussole a été refusée : les sons suivent votre sens de marche, et restent au centre tant que vous n'avez pas marché.",
    headphones: "J'écoute avec des écouteurs (son en 3D)",
    aroundNone: "Aucun son placé autour de vous pour l'instant.",
    aroundLine: "{s}\u00a0: {w}, {l}",
    aroundStory: "{s} (récit)\u00a0: {w}",
    noDirection: "sans direction",
    level_near: "tout proche",
    level_mid: "un peu plus loin",
    level_far: "au loin",
    dirAhead: "devant vous",
    dirAheadLeft: "devant, sur votre gauche",
    dirAheadRight: "devant, sur votre droite",
    dirLeft: "sur votre gauche",
    dirRight: "sur votre droite",
    dirBehindLeft: "derrière, sur votre gauche",
    dirBehindRight: "derrière, sur votre droite",
    dirBehind: "derrière vous",
    dir_north: "au nord",
    dir_northEast: "au nord-est",
    dir_east: "à l'est",
    dir_southEast: "au sud-est",
    dir_south: "au sud",
    dir_southWest: "au sud-ouest",
    dir_west: "à l'ouest",
    dir_northWest: "au nord-ouest",
    fromDate: "À partir du {d}",
    storyCredits: "Crédits : {c}",
    resumeDownload: "Reprendre le téléchargement ({p} déjà reçus)",
    quota:
      "Pas assez de place sur ce téléphone pour ce parcours. Libérez de l'espace ou supprimez un autre parcours, puis réessayez : rien n'a été gardé de ce téléchargement.",
    untilDate: "Jusqu'au {d}",
    dates: "Dates",
  },
  en: {
    brand: "Baladeur",
    trails: "Trails",
    loading: "Loading…",
    offlineList: "Offline: only downloaded trails are shown.",
    noTrails: "No trails published yet.",
    sortNear: "Sort by distance",
    sortNearHelp: "Your position stays on this phone: it is never sent.",
    stops: "stops",
    oneStop: "stop",
    downloaded: "Downloaded",
    kmAway: "{d} away",
    length: "Length",
    duration: "Listening time",
    languages: "Languages",
    size: "Download size",
    credits: "Credits",
    download: "Download for offline",
    downloading: "Downloading… {p}",
    resumed: "resumed after a drop",
    verifying: "Checking authenticity…",
    stored: "Ready offline — verified",
    remove: "Remove from phone",
    removed: "Trail removed from this phone.",
    storage: "Storage used: {s}",
    update: "Update ({s})",
    updated: "Updated: {s} downloaded.",
    startWalk: "Start the walk",
    stopWalk: "Stop the walk",
    walking: "Walking",
    fromHome: "Listen from home",
    fromHomeHelp: "For those who cannot walk the route: pick the stops to hear.",
    keepAwake: "Keep the screen on while walking",
    back: "All trails",
    nowPlaying: "Now playing",
    nothingPlaying: "Nothing playing. Walk towards a stop.",
    waiting: "Waiting: {n}",
    transcript: "Transcript",
    stopsList: "Stops",
    play: "Listen",
    stop: "Stop",
    played: "heard",
    playingNow: "playing",
    queued: "waiting",
    position: "Position: ±{a} m",
    noPosition: "Waiting for a GPS position…",
    geoUnavailable: "The phone gives no position for now.",
    gps_good: "GPS: good",
    gps_weak: "GPS: weak — the position is too imprecise to start stories",
    gps_lost: "GPS: lost — no recent position",
    suggestManual: "GPS has not been good enough here for a while. You can listen to the stops by hand.",
    paused: "Paused: the sound was interrupted. The story will go on from where it stopped.",
    announcePlaying: "Playing: {s}",
    announceEnded: "The story has ended.",
    geoDenied: "Location is blocked: allow it for the walk, or listen from home.",
    tampered: "This download was refused: it is damaged or was altered ({code}). Please try again later.",
    failed: "The download failed: {m}",
    keysRefused:
      "Refused: this server's signing keys changed without being vouched for by the keys this phone trusts ({code}). The trail may not come from its publisher; nothing was downloaded.",
    notStored: "Download the trail to listen with no network.",
    offline: "Offline",
    ambience: "Ambience",
    map: "Map",
    opensOn: "Opens on {d}",
    expired: "This trail is no longer available.",
    min: "min",
    downloadingMap: "Downloading the base map… {p}",
    mapRefused: "The base map was refused: it is damaged or was altered ({code}). The walk works without it.",
    mapFailed: "The base map could not be downloaded. The walk works without it.",
    downloadMap: "Download the base map · {s}",
    resumeMap: "Resume the base map ({p} already here)",
    guideTitle: "Next stop",
    guideWaiting: "Waiting for a position to guide you to the next stop…",
    guideDone: "Every stop has been heard.",
    guideLine: "Stop {n}: {d}, {w}",
    beacon: "Sound beacon towards the next stop",
    spaceTitle: "Now around you",
    dirSource_compass: "Direction: compass",
    dirSource_course: "Direction: walking direction",
    dirSource_none: "Direction: none yet (sounds centred)",
    useCompass: "Use the compass",
    compass_waiting: "Compass on, waiting for a reading: meanwhile sounds follow your walking direction.",
    compass_on: "Compass on: sounds turn with you.",
    compass_unavailable: "This phone has no compass: sounds follow your walking direction, and stay centred until you have walked a little.",
    compass_denied: "The compass was refused: sounds follow your walking direction, and stay centred until you have walked a little.",
    headphones: "I am listening with headphones (3D sound)",
    aroundNone: "No sound placed around you yet.",
    aroundLine: "{s}: {w}, {l}",
    aroundStory: "{s} (story): {w}",
    noDirection: "no direction",
    level_near: "close",
    level_mid: "a little further",
    level_far: "far away",
    dirAhead: "ahead",
    dirAheadLeft: "ahead on your left",
    dirAheadRight: "ahead on your right",
    dirLeft: "on your left",
    dirRight: "on your right",
    dirBehindLeft: "behind on your left",
    dirBehindRight: "behind on your right",
    dirBehind: "behind you",
    dir_north: "north",
    dir_northEast: "north-east",
    dir_east: "east",
    dir_southEast: "south-east",
    dir_south: "south",
    dir_southWest: "south-west",
    dir_west: "west",
    dir_northWest: "north-west",
    fromDate: "From {d}",
    storyCredits: "Credits: {c}",
    resumeDownload: "Resume the download ({p} already here)",
    quota:
      "Not enough space on this phone for this trail. Free some space or remove another trail, then try again: nothing of this download was kept.",
    untilDate: "Until {d}",
    dates: "Dates",
  },
};

export const LANGUAGES = ["fr", "en"];
let current = null;

/** The interface language: the saved choice, else the browser's, else French. */
export function language() {
  if (!current) {
    const saved = localStorage.getItem("baladeur.lang");
    const browser = (navigator.language || "fr").slice(0, 2);
    current = LANGUAGES.includes(saved) ? saved : LANGUAGES.includes(browser) ? browser : "fr";
  }
  return current;
}

/** Choose the interface (and preferred narration) language. */
export function setLanguage(lang) {
  current = LANGUAGES.includes(lang) ? lang : "fr";
  localStorage.setItem("baladeur.lang", current);
  document.documentElement.lang = current;
}

/** A text of the interface with {placeholders} filled. */
export function t(key, values = {}) {
  const text = TEXTS[language()][key] ?? TEXTS.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** A translated text of the trail: the chosen language, else the trail's first that exists. */
export function pick(texts, preferred = []) {
  if (!texts) return "";
  for (const lang of [language(), ...preferred]) if (texts[lang]) return texts[lang];
  const first = Object.keys(texts)[0];
  return first ? texts[first] : "";
}

/** A number in the interface's language. */
export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(language(), options).format(n);
}

/** Bytes for people, in their language: "1,2 Mo", "749 kB". */
export function formatBytes(n) {
  if (n < 1000) return formatNumber(n, { style: "unit", unit: "byte", unitDisplay: "short" });
  if (n < 1e6) return formatNumber(Math.round(n / 1000), { style: "unit", unit: "kilobyte", unitDisplay: "short" });
  return formatNumber(n / 1e6, { style: "unit", unit: "megabyte", unitDisplay: "short", maximumFractionDigits: 1 });
}

/** Metres for people: "850 m" or "2,1 km". */
export function formatDistance(m) {
  if (m < 1000) return formatNumber(Math.round(m), { style: "unit", unit: "meter", unitDisplay: "short" });
  return formatNumber(m / 1000, { style: "unit", unit: "kilometer", unitDisplay: "short", maximumFractionDigits: 1 });
}

const DATE_STYLE = { dateStyle: "long", timeStyle: "short" };

/** A moment (ISO text or ms) for people, in their language: "12 juin 2026 à 10:00". */
export function formatDate(when) {
  return new Intl.DateTimeFormat(language(), DATE_STYLE).format(new Date(when));
}

/** A span between two moments, in the visitor's language; an open end shows its one date. */
export function formatDateRange(from, until) {
  const format = new Intl.DateTimeFormat(language(), DATE_STYLE);
  if (from && until) return format.formatRange(new Date(from), new Date(until));
  return t(from ? "fromDate" : "untilDate", { d: format.format(new Date(from || until)) });
}
