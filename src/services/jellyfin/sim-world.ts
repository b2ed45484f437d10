import { DEMO_CYCLE, newId, newSession, PLAYBACK_PER_TICK, SCAN_STEP, seedDemo, type NewItem, type ScannedFile, type SeedWorld, type SimItem, type SimPlayMethod, type SimSession, type SimTask, type WorldChange } from './sim-data.js';
import { itemView, sessionView, taskView, type ViewWorld } from './sim-views.js';

export { DEMO_CYCLE, newId, PLAYBACK_PER_TICK, SCAN_STEP } from './sim-data.js';
export type { SimItem, SimPlayMethod, SimSession, SimTask, WorldChange } from './sim-data.js';

/**
 * The simulated Jellyfin server's world: a small library, client sessions that play, pause and
 * finish, and scheduled tasks with a library scan that runs for a few ticks and finds new files.
 * The shapes and the demo library are in sim-data.ts, the DTOs in sim-views.ts (the methods
 * below pass through, so callers keep one object to ask). Neither imports this file: the seed and
 * the views take the narrow SeedWorld and ViewWorld they declare, which this class implements.
 */

export class JellyfinWorld implements SeedWorld, ViewWorld {
  readonly serverId = newId();
  readonly serverName: string;
  readonly version = '10.11.11';
  pendingRestart = false;
  readonly items: SimItem[] = [];
  readonly sessions: SimSession[] = [];
  readonly tasks: SimTask[] = [];
  /** Files a library scan will find, one per completed scan. */
  readonly incoming: ScannedFile[] = [];
  ticks = 0;
  /** Change listeners (the simulator's sockets); none while the seed data is built. */
  readonly listeners = new Set<(change: WorldChange) => void>();

  constructor(serverName = 'Jellyfin Demo', now = Date.now()) {
    this.serverName = serverName;
    seedDemo(this, now);
  }

  // ---- library -------------------------------------------------------------------------------

  addItem(item: NewItem): SimItem {
    const full: SimItem = { Id: newId(), DateCreated: new Date().toISOString(), LocationType: 'FileSystem', ...item };
    if (full.Type === 'Episode' && full.SeriesName && !full.SeriesId) {
      full.SeriesId = this.items.find((i) => i.Type === 'Series' && i.Name === full.SeriesName)?.Id;
    }
    this.items.push(full);
    this.#changed({ kind: 'library', added: [full.Id], updated: [] });
    return full;
  }

  #changed(change: WorldChange): void {
    for (const l of this.listeners) l(change);
  }

  item(id: string): SimItem | undefined {
    return this.items.find((i) => i.Id === id);
  }

  /** What `/Items/Counts` answers: items on disk (virtual, missing episodes are not counted). */
  counts(): Record<'MovieCount' | 'SeriesCount' | 'EpisodeCount' | 'ArtistCount' | 'ProgramCount' | 'TrailerCount' | 'SongCount' | 'AlbumCount' | 'MusicVideoCount' | 'BoxSetCount' | 'BookCount' | 'ItemCount', number> {
    const n = (t: SimItem['Type']) => this.items.filter((i) => i.Type === t && i.LocationType !== 'Virtual').length;
    return {
      MovieCount: n('Movie'),
      SeriesCount: n('Series'),
      EpisodeCount: n('Episode'),
      ArtistCount: n('MusicArtist'),
      ProgramCount: 0,
      TrailerCount: 0,
      SongCount: n('Audio'),
      AlbumCount: n('MusicAlbum'),
      MusicVideoCount: 0,
      BoxSetCount: n('BoxSet'),
      BookCount: n('Book'),
      ItemCount: this.items.filter((i) => i.LocationType !== 'Virtual').length,
    };
  }

  // ---- sessions ------------------------------------------------------------------------------

  startPlayback(s: { user: string; device: string; client: string; itemName: string; method?: SimPlayMethod; paused?: boolean }): SimSession {
    const item = this.items.find((i) => i.Name === s.itemName);
    if (!item) throw new Error(`no item named ${s.itemName}`);
    let session = this.sessions.find((x) => x.UserName === s.user && x.DeviceName === s.device);
    if (!session) {
      session = newSession(this, s.user, s.device, s.client, Date.now());
      this.sessions.push(session);
    }
    session.playing = { itemId: item.Id, positionTicks: 0, paused: s.paused ?? false, method: s.method ?? 'DirectPlay' };
    session.LastActivityDate = new Date().toISOString();
    this.#changed({ kind: 'sessions' });
    return session;
  }

  stopPlayback(user: string): void {
    for (const s of this.sessions) {
      if (s.UserName === user && s.playing) {
        s.playing = null;
        s.LastActivityDate = new Date().toISOString();
      }
    }
    this.#changed({ kind: 'sessions' });
  }

  setPaused(user: string, paused: boolean): void {
    for (const s of this.sessions) if (s.UserName === user && s.playing) s.playing.paused = paused;
    this.#changed({ kind: 'sessions' });
  }

  playingSessions(): SimSession[] {
    return this.sessions.filter((s) => s.playing);
  }

  // ---- tasks ---------------------------------------------------------------------------------

  get scanTask(): SimTask {
    return this.tasks.find((t) => t.Key === 'RefreshLibrary')!;
  }

  /** POST /Library/Refresh; a second call while one runs changes nothing, as in Jellyfin. */
  startScan(): void {
    const t = this.scanTask;
    if (t.state !== 'Idle') return;
    t.state = 'Running';
    t.progress = 0;
    t.started = new Date().toISOString();
    this.#changed({ kind: 'tasks' });
  }

  startTask(id: string): boolean {
    const t = this.tasks.find((x) => x.Id === id);
    if (!t) return false;
    if (t.Key === 'RefreshLibrary') this.startScan();
    else {
      t.last = { StartTimeUtc: new Date().toISOString(), EndTimeUtc: new Date().toISOString(), Status: 'Completed' };
      this.#changed({ kind: 'task-ended', task: t });
    }
    return true;
  }

  // ---- time ----------------------------------------------------------------------------------

  /**
   * `media2mqtt demo` only (tests drive sessions themselves): a second user comes and goes, and
   * the first pauses and resumes, so every playback event shows within a minute of ticks.
   * One cycle of DEMO_CYCLE ticks: erin starts a transcode on her phone, alice pauses, alice
   * resumes, erin pauses, erin stops.
   */
  demoStep(): void {
    switch (this.ticks % DEMO_CYCLE) {
      case 1:
        this.startPlayback({ user: 'erin', device: 'Pixel 8', client: 'Findroid', itemName: 'Arrival', method: 'Transcode' });
        break;
      case 3:
        this.setPaused('alice', true);
        break;
      case 5:
        this.setPaused('alice', false);
        break;
      case 7:
        this.setPaused('erin', true);
        break;
      case 9:
        this.stopPlayback('erin');
        break;
    }
  }

  /** One step: playing sessions advance a minute (and end at the run time), a running scan advances. */
  tick(): void {
    this.ticks++;
    const now = new Date().toISOString();
    // Every playing session reports progress (clients do every ~10 s), so each tick is a change.
    const playing = this.sessions.some((s) => s.playing);
    for (const s of this.sessions) {
      const p = s.playing;
      if (!p) continue;
      s.LastActivityDate = now;
      if (p.paused) continue;
      p.positionTicks += PLAYBACK_PER_TICK;
      const item = this.item(p.itemId);
      if (!item?.RunTimeTicks || p.positionTicks < item.RunTimeTicks) continue;
      // Finished: an episode rolls on to the next one (as clients autoplay), anything else stops.
      const next = item.Type === 'Episode' ? this.#nextEpisode(item) : undefined;
      s.playing = next ? { ...p, itemId: next.Id, positionTicks: 0 } : null;
    }
    if (playing) this.#changed({ kind: 'sessions' });
    const scan = this.scanTask;
    if (scan.state === 'Running') {
      scan.progress = Math.min(100, scan.progress + SCAN_STEP);
      if (scan.progress >= 100) {
        scan.state = 'Idle';
        scan.last = { StartTimeUtc: scan.started ?? now, EndTimeUtc: now, Status: 'Completed' };
        scan.started = null;
        scan.progress = 0;
        const next = this.incoming.shift();
        if (next) this.#arrive(next);
        this.#changed({ kind: 'task-ended', task: scan });
      }
      this.#changed({ kind: 'tasks' });
    }
  }

  #nextEpisode(ep: SimItem): SimItem | undefined {
    return this.items
      .filter((i) => i.Type === 'Episode' && i.LocationType !== 'Virtual' && i.SeriesName === ep.SeriesName)
      .filter((i) => (i.ParentIndexNumber ?? 0) * 1000 + (i.IndexNumber ?? 0) > (ep.ParentIndexNumber ?? 0) * 1000 + (ep.IndexNumber ?? 0))
      .sort((a, b) => (a.ParentIndexNumber ?? 0) * 1000 + (a.IndexNumber ?? 0) - ((b.ParentIndexNumber ?? 0) * 1000 + (b.IndexNumber ?? 0)))[0];
  }

  /** A scan found a file: a known missing episode becomes real, anything else is a new item. */
  #arrive(next: ScannedFile): void {
    const missing = this.items.find(
      (i) => i.LocationType === 'Virtual' && i.Type === next.Type && i.SeriesName === next.SeriesName && i.ParentIndexNumber === next.ParentIndexNumber && i.IndexNumber === next.IndexNumber,
    );
    if (!missing) {
      this.addItem(next);
      return;
    }
    missing.LocationType = 'FileSystem';
    missing.DateCreated = new Date().toISOString();
    this.#changed({ kind: 'library', added: [], updated: [missing.Id] });
  }

  // ---- DTOs (sim-views.ts) -------------------------------------------------------------------

  /** BaseItemDto; DateCreated only when the request asked for it in `fields`, as Jellyfin does. */
  itemDto(i: SimItem, withDateCreated: boolean): Record<string, unknown> {
    return itemView(this, i, withDateCreated);
  }

  sessionDto(s: SimSession): Record<string, unknown> {
    return sessionView(this, s);
  }

  taskDto(t: SimTask): Record<string, unknown> {
    return taskView(t);
  }
}
