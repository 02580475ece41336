// Web address names (slugs) suggested from what a person typed: ASCII, lower case, hyphens.

/** "Musée du Verre" → "musee-du-verre": accents dropped, anything else becomes one hyphen. */
export function slugify(text, max = 60) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, max)
    .replace(/-$/, "");
}
