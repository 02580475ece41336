// What the browser can tell about a chosen file before sending it, said plainly: the
// limits come from the invitation (GET /v1/invitations/{code}, ``limits``).
import { formatSize, t } from "./i18n.js";

// Extensions of the audio formats the server reads (media/probe.py), for files whose type
// the phone does not know.
const AUDIO_EXTENSIONS = /\.(wav|w64|aiff?|flac|mp3|ogg|oga|opus|m4a|mp4|aac|webm)$/i;

/** The problem with a recording file, as a sentence, or null when it looks fine. */
export function recordingProblem(file, limits) {
  const type = file.type || "";
  const declared = type.startsWith("audio/") || (limits?.recording_types || []).includes(type);
  // Phones often give no type, or a video one for an audio-only WebM or MP4: the name decides.
  const vague = ["", "application/octet-stream", "video/webm", "video/mp4"].includes(type);
  if (!declared && !(vague && AUDIO_EXTENSIONS.test(file.name || ""))) return t("check.notAudio");
  if (file.size === 0) return t("check.empty");
  const max = limits?.recording_max_bytes;
  if (max && file.size > max) return t("check.tooBig", { size: formatSize(file.size), limit: formatSize(max) });
  return null;
}

/** The problem with a photo, as a sentence, or null. */
export function photoProblem(file, limits) {
  const types = limits?.photo_types || ["image/jpeg", "image/png", "image/webp"];
  if (!types.includes(file.type)) return t("check.photoNotImage");
  if (file.size === 0) return t("check.empty");
  const max = limits?.photo_max_bytes;
  if (max && file.size > max) return t("check.photoTooBig", { size: formatSize(file.size), limit: formatSize(max) });
  return null;
}
