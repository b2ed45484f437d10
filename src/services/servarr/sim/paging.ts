/**
 * Paging as the Servarr API does it (`*PagingResource`): `page` (1-based) and `pageSize` in the
 * query, `totalRecords` and the page's `records` in the answer, with the sort echoed back.
 */
export function paged<T>(all: readonly T[], query: URLSearchParams, defaults: { sortKey: string; pageSize?: number }): Record<string, unknown> {
  const int = (name: string, def: number) => {
    const n = Number.parseInt(query.get(name) ?? '', 10);
    return Number.isFinite(n) && n > 0 ? n : def;
  };
  const page = int('page', 1);
  const pageSize = int('pageSize', defaults.pageSize ?? 10);
  const dir = query.get('sortDirection');
  const sortDirection = dir === 'ascending' || dir === 'descending' ? dir : 'default';
  const ordered = sortDirection === 'descending' ? [...all].reverse() : all;
  return {
    page,
    pageSize,
    sortKey: query.get('sortKey') ?? defaults.sortKey,
    sortDirection,
    totalRecords: all.length,
    records: ordered.slice((page - 1) * pageSize, page * pageSize),
  };
}

/** `true`/`false` query flags as ASP.NET binds them (case-insensitive), or the default. */
export function flag(query: URLSearchParams, name: string, def: boolean): boolean {
  const v = query.get(name);
  if (v === null) return def;
  return v.toLowerCase() === 'true';
}
