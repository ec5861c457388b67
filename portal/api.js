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

const BASE = '/api/v1';

/** @type {TokenPair | null} */
let tokens = null;

/** An answer that is not 2xx, carrying the problem+json body when there is one. */
export class ApiProblem extends Error {
  /** @param {number} status @param {{title?: string, detail?: string} | null} problem */
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
 * @returns {Promise<Response>}
 */
async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { 'accept-language': language(), accept: 'application/json, application/problem+json' };
  if (tokens) headers.authorization = `Bearer ${tokens.access_token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && tokens && path !== '/auth/refresh') {
    if (await refresh()) {
      headers.authorization = `Bearer ${tokens.access_token}`;
      response = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
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
  }
}
