// The only way the portal talks to the service: the public API under
// /api/v1, with a bearer token. Types come from the published document
// (generated/schema.d.ts, made by openapi-typescript in CI).
//
// Tokens live in this module's memory only: nothing in localStorage,
// sessionStorage or cookies, so a script injected later or another tab
// cannot read them, and a reload signs the user out. The API hands the
// refresh token back in the body, where no storage is safe from script;
// memory is the least exposed place, and the access token's short life
// bounds what a leak could do.
import { language } from './i18n.js';

/** @typedef {import('./generated/schema').components['schemas']} Schemas */
/** @typedef {Schemas['Account']} Account */
/** @typedef {Schemas['TokenPair']} TokenPair */
/** @typedef {Schemas['LoginRequest']} LoginRequest */
/** @typedef {Schemas['Role']} Role */
/** @typedef {Schemas['Match']} Match */
/** @typedef {Schemas['Explanation']} Explanation */
/** @typedef {Schemas['Offer']} Offer */
/** @typedef {Schemas['Application']} Application */
/** @typedef {Schemas['ApplicationStatus']} ApplicationStatus */
/** @typedef {Schemas['ApplicationEvent']} ApplicationEvent */
/** @typedef {Schemas['Placement']} Placement */
/** @typedef {Schemas['Party']} Party */
/** @typedef {Schemas['TermsPatch']} TermsPatch */
/** @typedef {Schemas['StudentProfile']} StudentProfile */
/** @typedef {Schemas['SchoolPlacementStats']} SchoolPlacementStats */
/** @typedef {Schemas['PlacementRatesReport']} PlacementRatesReport */
/** @typedef {Schemas['SkillsGapReport']} SkillsGapReport */
/** @typedef {Schemas['Figures']} Figures */
/** @typedef {Schemas['ProfilePatch']} ProfilePatch */
/** @typedef {Schemas['SkillLevel']} SkillLevel */
/** @typedef {Schemas['OfferDraft']} OfferDraft */
/** @typedef {Schemas['OfferPatch']} OfferPatch */
/** @typedef {Schemas['RosterImport']} RosterImport */
/** @typedef {Schemas['Violation']} Violation */

const BASE = '/api/v1';

/** @type {TokenPair | null} */
let tokens = null;

/** An answer that is not 2xx, carrying the problem+json body when there is one. */
export class ApiProblem extends Error {
  /** @param {number} status @param {{title?: string, detail?: string, errors?: Schemas['Violation'][] | null} | null} problem */
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {unknown} [body]
 * @param {Record<string, string>} [extra] headers such as If-Match or Idempotency-Key
 * @returns {Promise<Response>}
 */
async function call(method, path, body, extra = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'accept-language': language(), accept: 'application/json, application/problem+json', ...extra };
  if (tokens) headers.authorization = `Bearer ${tokens.access_token}`;
  // A string is sent as it is (a CSV roster), with its content type in `extra`.
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  let response = await fetch(BASE + path, { method, headers, body: payload });
  if (response.status === 401 && tokens && path !== '/auth/refresh') {
    if (await refresh()) {
      headers.authorization = `Bearer ${tokens.access_token}`;
      response = await fetch(BASE + path, { method, headers, body: payload });
    }
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiProblem(response.status, problem);
  }
  return response;
}

/** @returns {Promise<boolean>} whether a new pair was obtained */
async function refresh() {
  if (!tokens) return false;
  const response = await fetch(`${BASE}/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': language() },
    body: JSON.stringify({ refresh_token: tokens.refresh_token }),
  });
  if (!response.ok) {
    tokens = null;
    return false;
  }
  tokens = /** @type {TokenPair} */ (await response.json());
  return true;
}

/** @param {LoginRequest} credentials */
export async function login(credentials) {
  names.clear();
  const response = await call('POST', '/auth/login', credentials);
  tokens = /** @type {TokenPair} */ (await response.json());
}

/** @returns {Promise<Account>} */
export async function me() {
  return /** @type {Account} */ (await (await call('GET', '/me')).json());
}

/** Revokes every session of the account, then forgets the tokens. */
export async function logoutEverywhere() {
  try {
    await call('POST', '/auth/logout-all');
  } finally {
    tokens = null;
    names.clear();
  }
}

/**
 * A query string from the defined entries of `params`.
 * @param {Record<string, string | number | undefined>} params
 */
function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * @template T
 * @param {string} path
 * @returns {Promise<T>}
 */
async function get(path) {
  return /** @type {T} */ (await (await call('GET', path)).json());
}

/** @param {number} studentId @returns {Promise<Match[]>} open offers ranked for the student */
export const rankedOffers = (studentId) => get(`/students/${studentId}/matches${query({ limit: 20 })}`);

/** @param {number} studentId @param {number} offerId @returns {Promise<Match>} the gap view of any offer */
export const gap = (studentId, offerId) => get(`/students/${studentId}/matches/${offerId}`);

/** @param {number} offerId @returns {Promise<Match[]>} candidates ranked for an offer */
export const rankedCandidates = (offerId) => get(`/offers/${offerId}/matches${query({ limit: 20 })}`);

/** @param {{organisation_id?: number, status?: Schemas['OfferStatus']}} [filter] @returns {Promise<Offer[]>} */
export async function offers(filter = {}) {
  /** @type {Schemas['Page_Offer']} */
  const page = await get(`/offers${query({ ...filter, limit: 100 })}`);
  return page.items;
}

/** @param {number} id @returns {Promise<Offer>} */
export const offer = (id) => get(`/offers/${id}`);

/** @param {number} offerId @param {string} coverLetter @returns {Promise<Application>} */
export async function apply(offerId, coverLetter) {
  // One key per click: a retried request is answered as the first was.
  const key = crypto.randomUUID();
  const body = { cover_letter: coverLetter || null, source: 'passerelle-portal' };
  return /** @type {Application} */ (await (await call('POST', `/offers/${offerId}/applications`, body, { 'idempotency-key': key })).json());
}

/** @param {{offer_id?: number}} [filter] @returns {Promise<Application[]>} */
export async function applications(filter = {}) {
  /** @type {Schemas['Page_Application']} */
  const page = await get(`/applications${query({ ...filter, limit: 100 })}`);
  return page.items;
}

/** @param {number} id @returns {Promise<ApplicationEvent[]>} */
export const events = (id) => get(`/applications/${id}/events`);

/** @param {number} id @param {ApplicationStatus} to @returns {Promise<Application>} */
export async function move(id, to) {
  return /** @type {Application} */ (await (await call('POST', `/applications/${id}/transitions`, { to })).json());
}

/** @returns {Promise<Placement[]>} */
export async function placements() {
  /** @type {Schemas['Page_Placement']} */
  const page = await get(`/placements${query({ limit: 100 })}`);
  return page.items;
}

/** @param {number} id the placement and the ETag that changes to it need */
async function placementWithTag(id) {
  const response = await call('GET', `/placements/${id}`);
  return { etag: response.headers.get('etag') ?? '', placement: /** @type {Placement} */ (await response.json()) };
}

/** @param {number} id @param {TermsPatch} patch @returns {Promise<Placement>} */
export async function changeTerms(id, patch) {
  const { etag } = await placementWithTag(id);
  return /** @type {Placement} */ (await (await call('PATCH', `/placements/${id}`, patch, { 'if-match': etag })).json());
}

/** @param {number} id @returns {Promise<Placement>} signs the current version for the caller's party */
export async function sign(id) {
  const { etag } = await placementWithTag(id);
  // No body: the document allows a JSON `null`, but the server refuses one (400).
  return /** @type {Placement} */ (await (await call('POST', `/placements/${id}/signatures`, undefined, { 'if-match': etag })).json());
}

/** @returns {Promise<StudentProfile[]>} the students the caller may list */
export async function students() {
  /** @type {Schemas['Page_StudentProfile']} */
  const page = await get(`/students${query({ limit: 100 })}`);
  return page.items;
}

/** @param {number} id @returns {Promise<StudentProfile>} */
export const student = (id) => get(`/students/${id}`);

/**
 * Names already read this session, by student id. Each reading of a profile
 * by a recruiter or school staff is recorded and shown to the student, and
 * an application does not carry the candidate's name: reading it once per
 * session keeps that record to the readings a person made. Forgotten with
 * the tokens.
 * @type {Map<number, string>}
 */
const names = new Map();

/** @param {number} id @returns {Promise<string>} the student's name, `#id` when it cannot be read */
export async function studentName(id) {
  const known = names.get(id);
  if (known !== undefined) return known;
  const profile = await student(id).catch(() => null);
  const name = profile ? `${profile.first_name} ${profile.last_name}` : `#${id}`;
  if (profile) names.set(id, name);
  return name;
}

/** @returns {Promise<StudentProfile>} the signed-in student's own profile */
export const myProfile = () => get('/me/profile');

/** @param {number} id @param {ProfilePatch} patch @returns {Promise<StudentProfile>} */
export async function changeProfile(id, patch) {
  const etag = (await call('GET', `/students/${id}`)).headers.get('etag') ?? '';
  return /** @type {StudentProfile} */ (await (await call('PATCH', `/students/${id}`, patch, { 'if-match': etag })).json());
}

/** @param {number} id @param {SkillLevel[]} skills @returns {Promise<StudentProfile>} replaces the whole set */
export async function replaceSkills(id, skills) {
  return /** @type {StudentProfile} */ (await (await call('PUT', `/students/${id}/skills`, { skills })).json());
}

/** @param {string} text a pasted CV summary @returns {Promise<Schemas['SkillSuggestion'][]>} the taxonomy skills it names */
export async function suggestSkills(text) {
  /** @type {Schemas['SkillSuggestions']} */
  const found = await (await call('POST', '/skill-suggestions', { description: text })).json();
  return found.skills;
}

/** @param {number} id hands the student's export to the browser as a JSON file */
export async function exportData(id) {
  await saveAs(await call('GET', `/students/${id}/export`), 'passerelle-export.json');
}

/** @param {number} id erases the student's personal data; the account's tokens die with it */
export async function erase(id) {
  await call('DELETE', `/students/${id}`);
  tokens = null;
}

/** @param {OfferDraft} draft @returns {Promise<Offer>} a new draft */
export async function createOffer(draft) {
  return /** @type {Offer} */ (await (await call('POST', '/offers', draft)).json());
}

/** @param {number} id @param {OfferPatch} patch @returns {Promise<Offer>} */
export async function changeOffer(id, patch) {
  const etag = (await call('GET', `/offers/${id}`)).headers.get('etag') ?? '';
  return /** @type {Offer} */ (await (await call('PATCH', `/offers/${id}`, patch, { 'if-match': etag })).json());
}

/** @param {number} id @param {'publish' | 'close'} step @returns {Promise<Offer>} */
export async function offerStep(id, step) {
  return /** @type {Offer} */ (await (await call('POST', `/offers/${id}/${step}`)).json());
}

/** @param {number} schoolId @param {string} csv the roster as CSV, header first @returns {Promise<RosterImport>} */
export async function importRoster(schoolId, csv) {
  return /** @type {RosterImport} */ (await (await call('POST', `/schools/${schoolId}/roster`, csv, { 'content-type': 'text/csv' })).json());
}

/**
 * The path of a school's placement statistics over a span.
 * @param {number} schoolId @param {{from: string, to: string, group_by?: 'programme' | 'kind' | 'domain'}} span
 */
export const schoolStatsPath = (schoolId, span) => `/schools/${schoolId}/placement-stats${query(span)}`;

/** @param {number} schoolId @param {{from: string, to: string, group_by?: 'programme' | 'kind' | 'domain'}} span @returns {Promise<SchoolPlacementStats>} */
export const schoolStats = (schoolId, span) => get(schoolStatsPath(schoolId, span));

/** @param {{from: string, to: string, period: Schemas['Period']}} span */
export const placementRatesPath = (span) => `/reports/placement-rates${query(span)}`;

/** @param {{from: string, to: string, period: Schemas['Period']}} span @returns {Promise<PlacementRatesReport>} */
export const placementRates = (span) => get(placementRatesPath(span));

/** @param {{from: string, to: string}} span */
export const skillsGapPath = (span) => `/reports/skills-gap${query(span)}`;

/** @param {{from: string, to: string}} span @returns {Promise<SkillsGapReport>} */
export const skillsGap = (span) => get(skillsGapPath(span));

/**
 * Downloads a report in another form: with bearer tokens a plain link cannot
 * authenticate, so the file is fetched and handed to the browser as a Blob.
 * @param {string} path a report path from this module
 * @param {'csv' | 'xlsx'} format
 * @param {string} filename
 */
export async function download(path, format, filename) {
  const separator = path.includes('?') ? '&' : '?';
  await saveAs(await call('GET', `${path}${separator}format=${format}`), filename);
}

/** @param {Response} response @param {string} filename */
async function saveAs(response, filename) {
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
