// The portal's language: French by default, English on request. The same
// tag goes to the API as `Accept-Language`, so its messages match.
import fr from './locales/fr.js';
import en from './locales/en.js';

/** @typedef {'fr' | 'en'} Lang */

/** @type {Record<Lang, Record<string, string>>} */
const dictionaries = { fr, en };

/** @type {Lang} */
let current = 'fr';

/** @returns {Lang} */
export function language() {
  return current;
}

/** @param {Lang} lang */
export function setLanguage(lang) {
  current = lang;
  document.documentElement.lang = lang;
}

/**
 * The portal string `key` in the current language; the key itself when
 * missing, so a gap shows instead of hiding.
 * @param {string} key
 */
export function t(key) {
  return dictionaries[current][key] ?? key;
}
