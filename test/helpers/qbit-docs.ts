/**
 * `/api/v2/<group>/<Name>` for every method: groups from "All X API methods are under "grp"", names
 * from "Name: `x`", plus paths given as HTTP examples (`POST /api/v2/torrents/add HTTP/1.1`).
 */
export function documentedPaths(text: string): Set<string> {
  const paths = new Set<string>();
  let group: string | null = null;
  for (const line of text.split('\n')) {
    const g = /API methods are under "(\w+)"/.exec(line);
    if (g) group = g[1]!;
    const n = /^Name: `(\w+)`/.exec(line);
    if (n && group) paths.add(`/api/v2/${group}/${n[1]}`);
    // "Add new torrent" has no Name line; its HTTP example names it.
    const example = /^(?:GET|POST) (\/api\/v2\/\w+\/\w+)/.exec(line);
    if (example) paths.add(example[1]!);
  }
  return paths;
}
