// `html` tagged templates rendered by Preact (htm), so views need no build step.
import { h } from './vendor/preact.module.js';
import htm from './vendor/htm.module.js';

export const html = htm.bind(h);
