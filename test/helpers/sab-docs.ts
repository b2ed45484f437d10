import { readFileSync } from 'node:fs';
import { SPECS_DIR } from './openapi.js';

/**
 * What SABnzbd's API page (specs/sabnzbd/api.html, HTML not OpenAPI) documents: modes and their
 * parameters from the `api?mode=…` examples and the function tables, response fields from the
 * JSON examples of each section.
 */
export const html = readFileSync(new URL('sabnzbd/api.html', SPECS_DIR), 'utf8');
const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');

/** The HTML of the `<h2 id="…">` section up to the next heading. */
export function section(id: string): string {
  const start = html.indexOf(`<h2 id="${id}">`);
  if (start < 0) throw new Error(`no section ${id}`);
  const next = html.slice(start + 5).search(/<h[12] id="/);
  return next < 0 ? html.slice(start) : html.slice(start, start + 5 + next);
}

/** Every key of the JSON examples in a section (the examples are not strict JSON: trailing commas, raw newlines). */
export function exampleKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const block of text.matchAll(/\{% highlight json %\}([\s\S]*?)\{% endhighlight %\}/g)) for (const m of block[1]!.matchAll(/"([A-Za-z0-9_]+)"\s*:/g)) keys.add(m[1]!);
  return keys;
}

/** `api?…` examples as parameter lists. */
const examples = [...html.matchAll(/api\?([^<\s]+)/g)].map((m) => new URLSearchParams(unescape(m[1]!)));
/** Modes: from the examples and from the function tables (`<code id="version">version</code>`, `<a href="#queue">queue</a>`). */
export const documentedModes = new Set<string>([
  ...examples.map((e) => e.get('mode')).filter((m): m is string => !!m && m !== 'FUNCTION'),
  ...[...html.matchAll(/<td><(?:code id="|a href="#)\w+">(\w+)/g)].map((m) => m[1]!),
]);
/** Parameters documented for a mode: in its examples, in its section's input table, and the global ones (`api?output=json&apikey=…`). */
export function documentedParams(mode: string): Set<string> {
  const params = new Set<string>();
  for (const e of examples) if (!e.get('mode') || e.get('mode') === mode) for (const k of e.keys()) params.add(k);
  if (html.includes(`<h2 id="${mode}">`)) for (const m of section(mode).matchAll(/<td><code>(\w+)<\/code>/g)) params.add(m[1]!);
  return params;
}
