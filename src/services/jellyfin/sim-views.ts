import { TICKS_PER_SECOND, type SimItem, type SimSession, type SimTask } from './sim-data.js';

/**
 * The DTOs the simulated Jellyfin answers with, rendered as Jellyfin serialises them (PascalCase,
 * GUIDs in "N" format, null fields left out), with field names and enums from the spec, so the
 * contract test can hold the simulator to it. Pure: no I/O, no change to the world.
 */

/** What the views read of the world (sim-world.ts, which has it): the server's id and items by id. */
export interface ViewWorld {
  readonly serverId: string;
  item(id: string): SimItem | undefined;
}

/** BaseItemDto; DateCreated only when the request asked for it in `fields`, as Jellyfin does. */
export function itemView(world: ViewWorld, i: SimItem, withDateCreated: boolean): Record<string, unknown> {
  const video = i.Type === 'Movie' || i.Type === 'Episode';
  return omitUndefined({
    Name: i.Name,
    ServerId: world.serverId,
    Id: i.Id,
    DateCreated: withDateCreated ? i.DateCreated : undefined,
    RunTimeTicks: i.RunTimeTicks,
    ProductionYear: i.ProductionYear,
    IndexNumber: i.IndexNumber,
    ParentIndexNumber: i.ParentIndexNumber,
    IsFolder: ['Series', 'MusicAlbum', 'MusicArtist', 'BoxSet'].includes(i.Type),
    Type: i.Type,
    SeriesName: i.SeriesName,
    SeriesId: i.SeriesId,
    SeasonName: i.ParentIndexNumber !== undefined ? `Season ${i.ParentIndexNumber}` : undefined,
    Album: i.Album,
    AlbumArtist: i.AlbumArtist,
    VideoType: video ? 'VideoFile' : undefined,
    ImageTags: {},
    BackdropImageTags: [],
    LocationType: i.LocationType,
    MediaType: video ? 'Video' : i.Type === 'Audio' ? 'Audio' : i.Type === 'Book' ? 'Book' : 'Unknown',
  });
}

export function sessionView(world: ViewWorld, s: SimSession): Record<string, unknown> {
  const p = s.playing;
  const item = p ? world.item(p.itemId) : undefined;
  const transcoding = p?.method === 'Transcode';
  return omitUndefined({
    PlayState: omitUndefined({
      PositionTicks: p?.positionTicks,
      CanSeek: !!p,
      IsPaused: p?.paused ?? false,
      IsMuted: false,
      VolumeLevel: p ? 100 : undefined,
      MediaSourceId: item?.Id,
      PlayMethod: p?.method,
      RepeatMode: 'RepeatNone',
      PlaybackOrder: 'Default',
    }),
    AdditionalUsers: [],
    Capabilities: { PlayableMediaTypes: ['Audio', 'Video'], SupportedCommands: ['DisplayMessage', 'SetVolume'], SupportsMediaControl: true, SupportsPersistentIdentifier: true },
    RemoteEndPoint: s.RemoteEndPoint,
    PlayableMediaTypes: ['Audio', 'Video'],
    Id: s.Id,
    UserId: s.UserId,
    UserName: s.UserName,
    Client: s.Client,
    LastActivityDate: s.LastActivityDate,
    LastPlaybackCheckIn: p ? s.LastActivityDate : '0001-01-01T00:00:00.0000000Z',
    DeviceName: s.DeviceName,
    NowPlayingItem: item ? itemView(world, item, false) : undefined,
    DeviceId: s.DeviceId,
    ApplicationVersion: s.ApplicationVersion,
    // TranscodeReasons is left out: the 10.11 spec puts the enum on the array itself, so no
    // real answer (an array of reasons) could validate against it.
    TranscodingInfo: transcoding
      ? { AudioCodec: 'aac', VideoCodec: 'h264', Container: 'ts', IsVideoDirect: false, IsAudioDirect: false, Bitrate: 8_000_000, Framerate: 23.976, CompletionPercentage: 12.5, Width: 1920, Height: 1080, AudioChannels: 2, HardwareAccelerationType: 'vaapi' }
      : undefined,
    IsActive: true,
    SupportsMediaControl: true,
    SupportsRemoteControl: true,
    NowPlayingQueue: [],
    NowPlayingQueueFullItems: [],
    HasCustomDeviceName: false,
    ServerId: world.serverId,
    SupportedCommands: ['DisplayMessage', 'SetVolume'],
  });
}

export function taskView(t: SimTask): Record<string, unknown> {
  return omitUndefined({
    Name: t.Name,
    State: t.state,
    CurrentProgressPercentage: t.state === 'Running' ? t.progress : undefined,
    Id: t.Id,
    LastExecutionResult: t.last ? { ...t.last, Name: t.Name, Key: t.Key, Id: t.Id } : undefined,
    Triggers: [{ Type: 'IntervalTrigger', IntervalTicks: 12 * 3600 * TICKS_PER_SECOND }],
    Description: t.Description,
    Category: t.Category,
    IsHidden: t.IsHidden,
    Key: t.Key,
  });
}

function omitUndefined(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
