import type { PlexItem, PlexScanSim, PlexSectionSim, PlexSessionSim } from './sim-data.js';

/**
 * The JSON the simulated PMS answers with, built from the world with the community spec's field
 * names (everything inside `MediaContainer`, epoch seconds for dates, milliseconds for durations).
 * Pure: no I/O, no change to the world.
 */

/** What the views read of the world (sim-world.ts, which has it): items, running scans, lookups by key. */
export interface ViewWorld {
  readonly items: readonly PlexItem[];
  readonly scans: readonly PlexScanSim[];
  item(ratingKey: string | undefined): PlexItem | undefined;
  section(key: string): PlexSectionSim | undefined;
}

/** One item of `Metadata`: a movie, show, season, episode, artist, album or track. */
export function metadataView(world: ViewWorld, i: PlexItem): Record<string, unknown> {
  const parent = world.item(i.parentRatingKey);
  const grandparent = world.item(parent?.parentRatingKey);
  const section = world.section(i.sectionKey);
  const folder = i.type === 'show' || i.type === 'season' || i.type === 'artist' || i.type === 'album';
  const children = folder ? world.items.filter((c) => c.parentRatingKey === i.ratingKey) : [];
  const leaves = i.type === 'show' ? world.items.filter((e) => e.type === 'episode' && world.item(e.parentRatingKey)?.parentRatingKey === i.ratingKey).length : children.length;
  const m: Record<string, unknown> = {
    ratingKey: i.ratingKey,
    key: `/library/metadata/${i.ratingKey}${folder ? '/children' : ''}`,
    guid: `plex://${i.type}/${i.ratingKey.padStart(24, '0')}`,
    type: i.type,
    title: i.title,
    librarySectionID: Number(i.sectionKey),
    librarySectionTitle: section?.title,
    librarySectionKey: `/library/sections/${i.sectionKey}`,
    addedAt: i.addedAt,
    updatedAt: i.addedAt,
    thumb: `/library/metadata/${i.ratingKey}/thumb/${i.addedAt}`,
  };
  if (i.year !== undefined) m.year = i.year;
  if (i.index !== undefined) m.index = i.index;
  if (i.duration !== undefined) m.duration = i.duration;
  if (folder) {
    m.leafCount = leaves;
    m.childCount = children.length;
  }
  if (parent) {
    m.parentRatingKey = parent.ratingKey;
    m.parentKey = `/library/metadata/${parent.ratingKey}`;
    m.parentTitle = parent.title;
    if (parent.index !== undefined) m.parentIndex = parent.index;
  }
  if (grandparent) {
    m.grandparentRatingKey = grandparent.ratingKey;
    m.grandparentKey = `/library/metadata/${grandparent.ratingKey}`;
    m.grandparentTitle = grandparent.title;
  }
  if (i.type === 'movie' || i.type === 'episode' || i.type === 'track') {
    const video = i.type !== 'track';
    m.Media = [
      {
        id: Number(i.ratingKey) * 10,
        duration: i.duration,
        bitrate: video ? 10_500 : 320,
        container: video ? 'mkv' : 'flac',
        ...(video ? { videoCodec: 'hevc', videoResolution: '1080', width: 1920, height: 1080, audioCodec: 'eac3', audioChannels: 6 } : { audioCodec: 'flac', audioChannels: 2 }),
        Part: [{ id: Number(i.ratingKey) * 10 + 1, key: `/library/parts/${Number(i.ratingKey) * 10 + 1}/${i.addedAt}/file.${video ? 'mkv' : 'flac'}`, duration: i.duration, container: video ? 'mkv' : 'flac', size: video ? 4_200_000_000 : 32_000_000 }],
      },
    ];
  }
  return m;
}

export function sessionView(world: ViewWorld, s: PlexSessionSim): Record<string, unknown> {
  const item = world.item(s.ratingKey)!;
  const m = metadataView(world, item);
  const media = (m.Media as Record<string, any>[] | undefined)?.[0];
  if (media) {
    media.selected = true;
    media.Part[0].decision = s.decision === 'transcode' ? 'transcode' : s.decision === 'copy' ? 'transcode' : 'directplay';
    media.Part[0].selected = true;
  }
  m.sessionKey = s.sessionKey;
  m.viewOffset = s.viewOffset;
  m.User = { id: s.user.id, title: s.user.title, thumb: `https://plex.tv/users/${s.user.id}/avatar` };
  m.Player = {
    title: s.player.title,
    address: s.player.address,
    local: s.player.local,
    machineIdentifier: s.player.machineIdentifier,
    platform: s.player.platform,
    product: s.player.product,
    relayed: false,
    secure: true,
    state: s.state,
    userID: Number(s.user.id),
    version: '4.145.1',
  };
  m.Session = { id: s.id, bandwidth: s.bandwidth, location: s.player.local ? 'lan' : 'wan' };
  if (s.decision !== 'directplay') {
    const video = item.type !== 'track';
    m.TranscodeSession = {
      key: `/transcode/sessions/${s.id}`,
      throttled: false,
      complete: false,
      progress: 12.5,
      size: -22,
      speed: 3.4,
      error: false,
      duration: item.duration,
      context: 'streaming',
      sourceVideoCodec: video ? 'hevc' : undefined,
      sourceAudioCodec: video ? 'eac3' : 'flac',
      videoDecision: video ? s.decision : undefined,
      audioDecision: s.decision === 'transcode' ? 'transcode' : 'copy',
      protocol: 'dash',
      transcodeHwRequested: true,
      transcodeHwFullPipeline: false,
    };
    for (const k of Object.keys(m.TranscodeSession as object)) if ((m.TranscodeSession as Record<string, unknown>)[k] === undefined) delete (m.TranscodeSession as Record<string, unknown>)[k];
  }
  return m;
}

export function sectionView(world: ViewWorld, s: PlexSectionSim): Record<string, unknown> {
  return {
    allowSync: true,
    art: `/:/resources/${s.type}-fanart.jpg`,
    composite: `/library/sections/${s.key}/composite/${s.scannedAt}`,
    filters: true,
    refreshing: world.scans.some((x) => x.sectionKey === s.key),
    thumb: `/:/resources/${s.type}.png`,
    key: s.key,
    type: s.type,
    title: s.title,
    agent: s.agent,
    scanner: s.scanner,
    language: 'en-US',
    uuid: s.uuid,
    updatedAt: s.scannedAt,
    createdAt: s.createdAt,
    scannedAt: s.scannedAt,
    content: true,
    directory: true,
    contentChangedAt: s.scannedAt,
    hidden: false,
    Location: [{ id: Number(s.key), path: s.path }],
  };
}

export function activityView(world: ViewWorld, scan: PlexScanSim): Record<string, unknown> {
  const section = world.section(scan.sectionKey);
  return {
    uuid: scan.uuid,
    type: 'library.update.section',
    cancellable: true,
    userID: 1,
    title: `Scanning ${section?.title ?? 'library'}`,
    subtitle: scan.progress < 50 ? 'Scanning files' : 'Updating metadata',
    progress: scan.progress,
    Context: { librarySectionID: scan.sectionKey },
  };
}
