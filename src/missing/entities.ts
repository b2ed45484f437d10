import type { Topics } from '../mqtt/contract.js';
import type { EntityDef } from '../ha/entity.js';
import { Media2MqttError } from '../errors.js';
import { seriesIdSchema, type SeriesDef } from './config.js';
import type { HistoryEntry } from './download.js';
import type { RankedResult } from './rank.js';

declare const seriesTopic: unique symbol;

/**
 * The name of a series' own topic, `<base>/missing/<series id>`. It has no prefix, so it cannot be
 * a template-literal key: it is a series id that passed seriesIdSchema (no `/`, none of the
 * feature's other names), which keeps it apart from `summary`, `history`, `event` and `results/…`
 * in MissingStates. MissingState.series() is the one way to get one.
 */
export type SeriesStateName = string & { readonly [seriesTopic]: true };

function isSeriesStateName(id: string): id is SeriesStateName {
  return seriesIdSchema.safeParse(id).success;
}

/** State names under `<base>/missing/`; part of the MQTT contract (README, "Missing volumes"). */
export const MissingState = {
  summary: 'summary',
  history: 'history',
  event: 'event',
  /** Every id the feature monitors passed seriesIdSchema (config, `monitor`, library ids), so this never throws for one. */
  series: (id: string): SeriesStateName => {
    if (!isSeriesStateName(id)) throw new Media2MqttError('BAD_SERIES_ID', `"${id}" is not a series id, so not a topic of its own`);
    return id;
  },
  results: (id: string) => `results/${id}` as const,
} as const;

export const MISSING_EVENTS = ['volume_missing', 'volume_found', 'download_sent'] as const;
export type MissingEvent = (typeof MISSING_EVENTS)[number];

/** `<base>/missing/<series id>` (retained), exactly as issue 10 shows it, plus `error` while the source fails. */
export interface SeriesState {
  title: string;
  source: SeriesDef['source'];
  present: number[];
  missing: number[];
  total: number | null;
  missing_count: number;
  next_expected: number;
  last_checked: string | null;
  error?: string;
}

/** `<base>/missing/summary` (retained). */
export interface MissingSummaryState {
  series: number;
  missing: number;
  last_check: string | null;
}

/** `<base>/missing/results/<series id>` (retained): the last search without links, and the HA attributes of the series sensor. */
export interface MissingResultsState {
  series: string;
  /** At most ATTRIBUTE_MISSING_MAX numbers. */
  missing: number[];
  error: string | null;
  searched_at: string | null;
  wanted: number[];
  count: number;
  best: Pick<RankedResult, 'title' | 'score' | 'covers' | 'seeders' | 'size' | 'guid'> | null;
  results: RankedResult[];
}

/** `<base>/missing/history` (retained): the newest downloads first. */
export interface MissingHistoryState {
  count: number;
  recent: HistoryEntry[];
}

type VolumesChange = { series: string; title: string; volumes: number[] };
/** What each event carries besides its type and time. */
export type MissingEventData = {
  volume_missing: VolumesChange;
  volume_found: VolumesChange;
  download_sent: VolumesChange & { release: string; client: string };
};

/** `<base>/missing/event` (not retained): read by the HA event entity "Volumes". */
export type MissingEventPayload<T extends MissingEvent = MissingEvent> = { event_type: T } & MissingEventData[T] & { at: string };

/** Everything the missing-volumes feature publishes under `<base>/missing/`. */
export type MissingStates = {
  summary: MissingSummaryState;
  history: MissingHistoryState;
  event: MissingEventPayload;
  [name: `results/${string}`]: MissingResultsState;
  [name: SeriesStateName]: SeriesState;
};

/** Missing numbers kept in the results payload (and so in HA attributes): 500 numbers stay far below 16 KB. */
export const ATTRIBUTE_MISSING_MAX = 500;

/**
 * A sensor per series (missing count; the missing numbers, the best result and the last error as
 * attributes, read from the series' results topic), the total, the last check, the event entity.
 * Attribute keys avoid `items`/`keys`/`values`, which HA's templates resolve to dict methods.
 */
export function missingEntities(instance: string, topics: Topics, series: readonly { id: string; title: string }[]): EntityDef<MissingStates>[] {
  const out: EntityDef<MissingStates>[] = series.map((s) => ({
    key: `series_${s.id}`,
    platform: 'sensor',
    name: s.title.slice(0, 120),
    state: MissingState.series(s.id),
    field: 'missing_count',
    unit: 'volumes',
    stateClass: 'measurement',
    icon: 'mdi:book-alert-outline',
    extra: {
      json_attributes_topic: topics.state(instance, MissingState.results(s.id)),
      json_attributes_template: "{{ {'missing': value_json.missing, 'best': value_json.best, 'error': value_json.error} | tojson }}",
    },
  }));
  out.push(
    { key: 'missing_total', platform: 'sensor', name: 'Total missing', state: MissingState.summary, field: 'missing', unit: 'volumes', stateClass: 'measurement', icon: 'mdi:bookshelf' },
    { key: 'monitored_series', platform: 'sensor', name: 'Monitored series', state: MissingState.summary, field: 'series', unit: 'series', stateClass: 'measurement', icon: 'mdi:book-multiple', entityCategory: 'diagnostic' },
    // A null last_check renders "None", which HA's MQTT sensor reads as unknown.
    { key: 'last_check', platform: 'sensor', name: 'Last check', state: MissingState.summary, field: 'last_check', deviceClass: 'timestamp', entityCategory: 'diagnostic' },
    { key: 'volume_event', platform: 'event', name: 'Volumes', state: MissingState.event, eventTypes: [...MISSING_EVENTS], icon: 'mdi:book-clock' },
  );
  return out;
}
